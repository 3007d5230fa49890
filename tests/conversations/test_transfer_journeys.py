"""Transfers through the real webhook, the real bank (SQLite) and real Redis: to a saved payee
with an SMS code, between own accounts (no code under the threshold), to a new payee found by
name enquiry (always a code, then saved), limits and the cooling-off after registering, and
``cancel`` or a mistyped answer at every step.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in
from workers.queues import DOCUMENTS_QUEUE

SAVINGS, CURRENT = "0123456789", "0123456790"


def balance(services: Services, number: str) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == number)


def past_cooling_off(whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock) -> None:
    """Registered a day ago: the cooling-off cap no longer applies; log in again."""
    register_amina(whatsapp, secure)
    clock.advance(hours=25)
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))


def receipt_jobs(services: Services) -> list[list[object]]:
    queue = Queue(DOCUMENTS_QUEUE, connection=services.rq_redis, serializer=JSONSerializer)
    return [list(job.args) for job in queue.get_jobs()]


def test_to_a_saved_payee_with_an_sms_code(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    payees = whatsapp.send(AMINA, "transfer").text  # to whom first: no "from which account?"
    assert payees.startswith("Who do you want to pay?\n1 New payee\n2 A mobile number\n")
    assert "3 your Savings ••6789" in payees and "4 your Current ••6790" in payees
    assert "5 Chidi Okeke (Access Bank ••4321)" in payees
    asked = whatsapp.send(AMINA, "5").text
    assert "How much (USD) do you want to send to Chidi Okeke" in asked
    assert "up to USD 200.00 more today" in asked  # the cooling-off after registering
    summary = whatsapp.send(AMINA, "150").text
    assert summary == (
        "Send *USD 150.00* to Chidi Okeke (Access Bank ••4321) from Savings ••6789? "
        "Reply YES to confirm or NO to cancel.\n\n"
        "To pay from another account, reply *from current* (Current ••6790)."
    )
    challenge = whatsapp.send(AMINA, "yes").text
    assert "we sent a code by SMS to +234•••••0001" in challenge
    code = secure.last_code(AMINA)
    assert code not in challenge
    sms = [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "sms"][-1]
    assert "to send USD 150.00 to Chidi Okeke (Access Bank ••4321) from ••6789" in sms
    done = whatsapp.send(AMINA, code).text
    assert re.match(r"Done: USD 150\.00 sent to Chidi Okeke \(Access Bank ••4321\)\. Ref TX", done)
    assert balance(services, SAVINGS) == Decimal("2350.00")
    assert services.bank.ledger_problems() == []
    txn = services.bank.mini_statement(SAVINGS, 1)[0].txn_id
    assert [txn] in receipt_jobs(services)  # the receipt effect carries the id alone
    assert "That code has expired or was already used" not in whatsapp.send(AMINA, code).text


def test_limits_and_cooling_off(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    for text in ("transfer", "5"):
        whatsapp.send(AMINA, text)
    over = whatsapp.send(AMINA, "200.01").text
    assert "While your chat banking is new, you can send up to USD 200.00 a day" in over
    assert "The lower limit ends 03 Nov 10:00 WAT" in over  # until when, on the bank's clock
    assert "Send *USD 200.00*" in whatsapp.send(AMINA, "200").text  # exactly the cap passes
    whatsapp.send(AMINA, "no")
    clock.advance(hours=25)  # the cooling-off is over; the session too
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    for text in ("transfer", "5"):
        whatsapp.send(AMINA, text)
    over = whatsapp.send(AMINA, "2000.01").text  # Amina's KYC level: 2,000 per transfer
    assert "over your limit of USD 2,000.00 per transfer" in over
    # More than any account holds: the reply names the most one account can send.
    short = whatsapp.send(AMINA, "2500.01").text
    assert "more than the account has available (USD 2,500.00)" in short
    # 741 is more than the current account holds: it can only go from savings (no choice).
    assert whatsapp.send(AMINA, "741").text == (
        "Send *USD 741.00* to Chidi Okeke (Access Bank ••4321) from Savings ••6789? "
        "Reply YES to confirm or NO to cancel."
    )


def test_between_own_accounts_no_code_under_the_threshold(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, clock: FrozenClock
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    whatsapp.send(AMINA, "transfer")
    asked = whatsapp.send(AMINA, "4").text  # your Current account
    assert asked == "How much (USD) do you want to send to your Current ••6790?"
    summary = whatsapp.send(AMINA, "1000").text  # from savings: the other account
    assert summary == (
        "Send *USD 1,000.00* to your Current ••6790 from Savings ••6789? "
        "Reply YES to confirm or NO to cancel."
    )
    done = whatsapp.send(AMINA, "yes").text  # 1,000.00 is not more than 1,000.00: no code
    assert done.startswith("Done: USD 1,000.00 sent to your Current ••6790.")
    assert (balance(services, SAVINGS), balance(services, CURRENT)) == (
        Decimal("1500.00"),
        Decimal("1740.25"),
    )
    for text in ("transfer", "4", "1000.01"):
        whatsapp.send(AMINA, text)
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text  # above: a code


def test_a_new_payee_found_by_name_always_needs_a_code_then_is_saved(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, clock: FrozenClock
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    whatsapp.send(AMINA, "transfer")
    banks = whatsapp.send(AMINA, "new payee").text
    assert banks.startswith("Which bank is the new payee's account with?\n1 Demo Bank")
    assert "10-digit account number at Demo Bank" in whatsapp.send(AMINA, "1").text
    assert "has 10 digits" in whatsapp.send(AMINA, "12345").text
    assert "couldn't find account ••0000" in whatsapp.send(AMINA, "9999990000").text
    # The holder is shown masked (another customer's name is theirs), and confirmed at the
    # summary with the last 4 digits: no separate "is this the right name?" message.
    asked = whatsapp.send(AMINA, "0345 678 901").text
    assert "send to Ngozi E. (••8901)" in asked and "Ngozi Eze" not in asked
    summary = whatsapp.send(AMINA, "25").text
    assert "Send *USD 25.00* to Ngozi E. (••8901) from Savings ••6789?" in summary
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text  # forced: a new payee
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert "Done: USD 25.00 sent to Ngozi E. (••8901)" in done
    assert "Save Ngozi E. as a payee for next time?" in done
    assert "Saved: Ngozi E." in whatsapp.send(AMINA, "yes").text
    assert "Ngozi E." in [p.name for p in services.bank.payees("C001")]
    assert "7 Ngozi E. (••8901)" in whatsapp.send(AMINA, "transfer").text  # after the others
    events = [e.fields for e in services.auth.audit.entries(customer_id="C001")]
    assert [e["result"] for e in events if e["event"] == "name_lookup"] == ["ok", "ok"]


@pytest.mark.parametrize(
    "steps",
    [
        ["transfer"],
        ["transfer", "5"],
        ["transfer", "5", "20"],
        ["transfer", "5", "20", "yes"],
        ["transfer", "1"],
        ["transfer", "1", "2"],
        ["transfer", "1", "1", "0345678901"],
        ["transfer", "1", "1", "0345678901", "20", "yes"],
    ],
)
def test_cancel_at_every_step_sends_nothing(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, steps: list[str]
) -> None:
    register_amina(whatsapp, secure)
    for text in steps:
        whatsapp.send(AMINA, text)
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled. Nothing was changed.")
    assert balance(services, SAVINGS) == Decimal("2500.00")


@pytest.mark.parametrize(
    ("steps", "typo", "expected"),
    [
        (["transfer"], "9", "Please reply with a number from the list"),
        (["transfer"], "chidi", "Please reply with a number from the list"),
        (["transfer", "1"], "access", "Please reply with a number from the list"),
        (["transfer", "1", "2"], "abc", "An account number has 10 digits"),
        (["transfer", "5"], "fifty", "Please send the amount as a number"),
        (["transfer", "5"], "1.005", "at most 2 decimal places"),
        (["transfer", "5"], "0", "more than zero"),
        (["transfer", "5"], "-5", "can't be negative"),
        (["transfer", "5"], "EUR 5", "in USD only"),
        (["transfer", "5", "20"], "sure", "Please reply YES to send the money, or NO"),
        (["transfer", "5", "20", "yes"], "12ab", "reply with the code's digits only"),
    ],
)
def test_a_mistyped_answer_at_every_step_is_asked_again(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    steps: list[str],
    typo: str,
    expected: str,
) -> None:
    register_amina(whatsapp, secure)
    for text in steps:
        whatsapp.send(AMINA, text)
    assert expected in whatsapp.send(AMINA, typo).text
    assert balance(services, SAVINGS) == Decimal("2500.00")
