"""Transfers at their edges through the real webhook, the real bank (SQLite) and real Redis:
twenty confirmations of one summary arriving at once make one debit (``yes`` with different
MessageSids, the same MessageSid retried, the step-up code), KYC limits at the cent (per
transfer, the day's total across several transfers, and again at execution when the day's
allowance was used elsewhere after the summary), and a code bound to what it was sent for:
after ``cancel`` and a new summary with another amount, payee or account, the first code is
refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from flask import Flask

from app import Services
from bank.ports import TransferRequest
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA, BASE_URL
from tests.conversations.test_transfer_journeys import balance, past_cooling_off
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

SAVINGS, CURRENT = "0123456789", "0123456790"
TUNDE, TUNDE_SAVINGS = "C002", "0234567891"
RACERS = 20

DONE = "Done: "
BUSY = "I'm still working on your previous message."
NOT_UNDERSTOOD = "Sorry, I didn't catch that."


def debits(services: Services, account: str = SAVINGS) -> int:
    """Transfers made from ``account`` (the seeded history is not in the transfers table)."""
    rows = services.bank.db.rows(
        "SELECT COUNT(*) AS n FROM transfers WHERE from_account = ?", account
    )
    return int(rows[0]["n"])


def race(app: Flask, services: Services, forms: list[dict[str, str]]) -> list[str]:
    """Post every form at the same moment, each from its own thread and test client."""
    token = services.config.twilio_auth_token
    barrier = threading.Barrier(len(forms))

    def post(form: dict[str, str]) -> str:
        client = WhatsApp(app.test_client(), token, BASE_URL)
        signature = client.sign(form)
        barrier.wait()
        reply = client.post(form, signature=signature)
        assert reply.status == 200
        return reply.text

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(post, forms))


def to_summary(whatsapp: WhatsApp, steps: list[str]) -> str:
    for text in steps[:-1]:
        whatsapp.send(AMINA, text)
    return whatsapp.send(AMINA, steps[-1]).text


# Savings → your Current account: under the own-accounts threshold, so no code is asked.
OWN_100 = ["transfer", "4", "100"]
# Savings → Chidi Okeke at Access Bank: a payee, so always a code.
CHIDI = ["transfer", "5"]


# --- twenty confirmations at once ---


def test_twenty_yes_at_once_with_different_message_sids_debit_once(
    app: Flask,
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    clock: FrozenClock,
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    assert "Send *USD 100.00* to your Current ••6790" in to_summary(whatsapp, OWN_100)
    replies = race(app, services, [whatsapp.form(AMINA, "yes") for _ in range(RACERS)])
    done = [r for r in replies if r.startswith(DONE)]
    assert len(done) == 1, replies
    # The others waited for the first and then found the transfer over (a "yes" in the menu),
    # or gave up waiting: never a second transfer, never an error.
    assert all(r.startswith((DONE, BUSY, NOT_UNDERSTOOD)) for r in replies), replies
    assert debits(services) == 1
    assert (balance(services, SAVINGS), balance(services, CURRENT)) == (
        Decimal("2400.00"),
        Decimal("840.25"),
    )
    assert services.bank.ledger_problems() == []


def test_twenty_retries_of_one_yes_get_the_first_reply_and_debit_once(
    app: Flask,
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    clock: FrozenClock,
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    to_summary(whatsapp, OWN_100)
    form = whatsapp.form(AMINA, "yes")  # Twilio retrying one message: one MessageSid
    replies = race(app, services, [form] * RACERS)
    answered = {r for r in replies if r}  # a copy still waiting when the first ends gets none
    assert len(answered) == 1, replies
    assert answered.pop().startswith("Done: USD 100.00 sent to your Current ••6790. Ref TX")
    assert debits(services) == 1 and balance(services, SAVINGS) == Decimal("2400.00")


def test_twenty_copies_of_the_code_at_once_debit_once(
    app: Flask,
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    clock: FrozenClock,
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    to_summary(whatsapp, [*CHIDI, "150"])
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    code = secure.last_code(AMINA)
    replies = race(app, services, [whatsapp.form(AMINA, code) for _ in range(RACERS)])
    done = [r for r in replies if r.startswith(DONE)]
    assert len(done) == 1, replies
    assert done[0].startswith("Done: USD 150.00 sent to Chidi Okeke (Access Bank ••4321)")
    assert all(r.startswith((DONE, BUSY, NOT_UNDERSTOOD)) for r in replies), replies
    assert debits(services) == 1 and balance(services, SAVINGS) == Decimal("2350.00")
    assert services.bank.ledger_problems() == []


# --- KYC limits at the cent (Amina: level 2, 2,000.00 per transfer, 5,000.00 a day) ---


@pytest.fixture
def funded(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, clock: FrozenClock
) -> Callable[[str], str]:
    """Amina past her cooling-off, with 10,000.00 more in savings from Tunde (a real transfer,
    so the ledger stays sound; it counts toward Tunde's limits, not hers). Returns a helper
    that sends one transfer to Chidi with the code and returns the last reply."""
    past_cooling_off(whatsapp, secure, clock)
    services.bank.transfer(
        TransferRequest("fund-amina", TUNDE_SAVINGS, SAVINGS, "001", Decimal(10_000), "", TUNDE)
    )

    def send(amount: str) -> str:
        # The idempotency key is one per summary, and a summary is known by its time: a frozen
        # clock would make two equal transfers one.
        clock.advance(seconds=1)
        assert "Send *" in to_summary(whatsapp, [*CHIDI, amount])
        assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
        return whatsapp.send(AMINA, secure.last_code(AMINA)).text

    return send


def test_exactly_the_per_transfer_limit_passes_and_one_cent_more_is_refused(
    whatsapp: WhatsApp, services: Services, funded: Callable[[str], str]
) -> None:
    asked = to_summary(whatsapp, CHIDI)
    assert "You can send up to USD 5,000.00 more today" in asked
    over = whatsapp.send(AMINA, "2000.01").text
    assert over == (
        "That's over your limit of USD 2,000.00 per transfer. Send USD 2,000.00 or less, "
        "or *cancel*."
    )
    assert "Send *USD 2,000.00* to Chidi Okeke" in whatsapp.send(AMINA, "2,000.00").text
    whatsapp.send(AMINA, "cancel")
    assert funded("2000").startswith("Done: USD 2,000.00 sent to Chidi Okeke")
    assert balance(services, SAVINGS) == Decimal("10500.00")


def test_the_days_limit_across_several_transfers_to_the_cent(
    whatsapp: WhatsApp, services: Services, funded: Callable[[str], str]
) -> None:
    assert funded("2000").startswith(DONE)
    assert funded("2000").startswith(DONE)
    assert funded("999.99").startswith(DONE)
    asked = to_summary(whatsapp, CHIDI)
    assert "You can send up to USD 0.01 more today" in asked
    over = whatsapp.send(AMINA, "0.02").text
    assert over == (
        "That's over your account level's daily limit (USD 5,000.00 a day): you can send up "
        "to USD 0.01 more today. Send a smaller amount, or *cancel*."
    )
    whatsapp.send(AMINA, "cancel")
    assert funded("0.01").startswith("Done: USD 0.01 sent to Chidi Okeke")
    used_up = to_summary(whatsapp, CHIDI)
    assert used_up.startswith(
        "You've sent the most your account level allows today (USD 5,000.00 a day), so "
        "nothing more can go until midnight."
    )
    assert services.bank.limits("C001").used_today == Decimal("5000.00")
    # Between her own accounts nothing is limited, even with the day's allowance used up.
    to_summary(whatsapp, ["transfer", "4", "500"])
    done = whatsapp.send(AMINA, "yes").text
    assert done.startswith("Done: USD 500.00 sent to your Current ••6790")
    assert balance(services, SAVINGS) == Decimal("7000.00")  # 12,500 - 5,000 - 500
    assert services.bank.ledger_problems() == []


@pytest.mark.usefixtures("funded")
def test_the_limit_is_checked_again_when_the_money_moves(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    """The summary said 2,000.00 fits; by the time the code is typed, 3,500.00 left the
    account another way (another channel of the bank): the bank refuses inside its
    transaction, and the chat says so."""
    assert "Send *USD 2,000.00*" in to_summary(whatsapp, [*CHIDI, "2000"])
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    for key in ("branch-1", "branch-2"):
        services.bank.transfer(
            TransferRequest(key, SAVINGS, "0987654321", "044", Decimal(1750), "", "C001")
        )
    refused = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert refused == (
        "That's over your account level's daily limit (USD 5,000.00 a day): you can send up "
        "to USD 1,500.00 more today. Send a smaller amount, or *cancel*.\n\nNothing was sent."
    )
    assert debits(services) == 2 and balance(services, SAVINGS) == Decimal("9000.00")


# --- a code is bound to what it was sent for ---


@pytest.mark.parametrize(
    ("second", "summary"),
    [
        ([*CHIDI, "101"], "Send *USD 101.00* to Chidi Okeke (Access Bank ••4321) from Savings"),
        (["transfer", "6", "100"], "Send *USD 100.00* to Tunde Bakare (••7890) from Savings"),
        (
            [*CHIDI, "100", "from current"],
            "Send *USD 100.00* to Chidi Okeke (Access Bank ••4321) from Current",
        ),
    ],
    ids=["other amount", "other payee", "other account"],
)
def test_a_code_for_one_transfer_is_refused_for_another(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    clock: FrozenClock,
    second: list[str],
    summary: str,
) -> None:
    past_cooling_off(whatsapp, secure, clock)
    to_summary(whatsapp, [*CHIDI, "100"])
    whatsapp.send(AMINA, "yes")
    first = secure.last_code(AMINA)
    assert "to send USD 100.00 to Chidi Okeke" in sms_with(outbox, first)
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled. Nothing was changed.")
    assert summary in to_summary(whatsapp, second)
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    code = secure.last_code(AMINA)
    assert code != first
    refused = whatsapp.send(AMINA, first).text
    assert refused.startswith("That code isn't right.")
    assert debits(services, SAVINGS) == debits(services, CURRENT) == 0
    done = whatsapp.send(AMINA, code).text
    assert done.startswith("Done: USD 10")
    assert debits(services, SAVINGS) + debits(services, CURRENT) == 1
    assert services.bank.ledger_problems() == []


def sms_with(outbox: OutboxMessenger, code: str) -> str:
    [sms] = [
        m["body"] for m in outbox.messages(AMINA) if m["channel"] == "sms" and code in m["body"]
    ]
    return str(sms)
