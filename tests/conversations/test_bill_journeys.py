"""Bill payments through the real webhook and the real bank: the biller's reference checked by
its own pattern, an SMS code, one payment into the biller's collection account, a receipt;
``cancel`` and a mistyped answer at every step."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app import Services
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

SAVINGS = "0123456789"


def savings(services: Services) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == SAVINGS)


def collected(services: Services, code: str) -> Decimal:
    rows = services.bank.db.rows("SELECT balance FROM accounts WHERE number = ?", f"BILLER-{code}")
    return Decimal(rows[0]["balance"]) / 100 if rows else Decimal("0")


def test_pay_the_electricity_bill(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    billers = whatsapp.send(AMINA, "pay bill").text
    assert billers.startswith("Which bill do you want to pay?\n1 City Power")
    assert whatsapp.send(AMINA, "1").text == (
        "What is your Meter number for City Power? You can add the amount after it, like "
        "*01234567890 45*."
    )
    assert "doesn't look like a valid meter number" in whatsapp.send(AMINA, "1234").text
    asked = whatsapp.send(AMINA, "0123 4567 890").text  # no "which account?": it's settled
    assert asked == "How much (USD) do you want to pay? You can send up to USD 200.00 more today."
    summary = whatsapp.send(AMINA, "45.50").text
    assert summary == (
        "Pay *USD 45.50* to City Power (01234567890) from Savings ••6789? "
        "Reply YES to confirm or NO to cancel.\n\n"
        "To pay from another account, reply *from current* (Current ••6790)."
    )
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert re.match(r"Done: USD 45\.50 paid to City Power \(01234567890\)\. Ref TX", done)
    assert savings(services) == Decimal("2454.50")
    assert collected(services, "ELEC") == Decimal("45.50")
    assert services.bank.ledger_problems() == []


def test_a_reference_with_letters_and_the_limit(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    for text in ("pay bill", "3"):  # Lagos Water: WC and 8 digits
        whatsapp.send(AMINA, text)
    assert "How much (USD)" in whatsapp.send(AMINA, "wc12345678").text
    assert (
        "you can send up to USD 200.00 a day: USD 200.00 more today"
        in whatsapp.send(AMINA, "200.01").text
    )  # the cooling-off after registering, named as such
    assert "from Savings ••6789" in whatsapp.send(AMINA, "200").text
    assert "from Current ••6790" in whatsapp.send(AMINA, "from current").text  # switched


def test_the_reference_and_the_amount_in_one_reply(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    for text in ("pay bill", "1"):
        whatsapp.send(AMINA, text)
    summary = whatsapp.send(AMINA, "0123 4567 890 45.50").text
    assert summary.startswith("Pay *USD 45.50* to City Power (01234567890) from Savings ••6789?")
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    assert whatsapp.send(AMINA, secure.last_code(AMINA)).text.startswith("Done: USD 45.50 paid")
    assert savings(services) == Decimal("2454.50")


@pytest.mark.parametrize(
    "steps",
    [
        ["pay bill"],
        ["pay bill", "1"],
        ["pay bill", "1", "01234567890"],
        ["pay bill", "1", "01234567890", "20"],
        ["pay bill", "1", "01234567890", "20", "yes"],
        ["pay bill", "1", "01234567890 20", "yes"],
    ],
)
def test_cancel_at_every_step_pays_nothing(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, steps: list[str]
) -> None:
    register_amina(whatsapp, secure)
    for text in steps:
        whatsapp.send(AMINA, text)
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled. Nothing was changed.")
    assert savings(services) == Decimal("2500.00")


@pytest.mark.parametrize(
    ("steps", "typo", "expected"),
    [
        (["pay bill"], "gas", "Please reply with a number from the list"),
        (["pay bill", "1"], "my meter", "doesn't look like a valid meter number"),
        (["pay bill", "1", "01234567890"], "lots", "Please send the amount as a number"),
        (["pay bill", "1", "01234567890", "20"], "sure", "Please reply YES to pay the bill"),
        (["pay bill", "1", "01234567890", "20"], "from cheque", "Please reply YES to pay the bill"),
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
    assert savings(services) == Decimal("2500.00")
