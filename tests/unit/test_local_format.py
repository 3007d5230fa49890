"""Amounts and times in the customer's language (messaging.local_format): English keeps
Teller's own shapes byte for byte; French and Arabic get Babel's, with the bank's currency and
the bank's zone abbreviation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flows.format import money, short_time
from messaging import local_format
from messaging.languages import speaking
from messaging.notices import bank_time, render_notice

LAGOS = ZoneInfo("Africa/Lagos")
AT = datetime(2026, 11, 2, 9, 14, tzinfo=UTC)


def test_english_is_unchanged() -> None:
    assert money(Decimal("2500"), "USD") == "USD 2,500.00"
    assert money(Decimal("-150"), "USD") == "−USD 150.00"
    assert short_time(AT, LAGOS) == "02 Nov 10:14 WAT"
    assert bank_time(AT, LAGOS) == "02 Nov 10:14 WAT"


def test_french() -> None:
    with speaking("fr"):
        assert money(Decimal("2500"), "USD") == "2\u202f500,00\xa0$US"
        assert short_time(AT, LAGOS) == "02 nov. 10:14 WAT"
    assert local_format.number(Decimal("1500.5"), ",.2f", "fr") == "1\u202f500,50"


def test_arabic_keeps_latin_digits_and_the_bank_currency() -> None:
    with speaking("ar"):
        assert "2,500.00" in money(Decimal("2500"), "USD") and "US$" in money(Decimal("1"), "USD")
        assert short_time(AT, LAGOS) == "02 نوفمبر 10:14 WAT"


def test_a_notice_spec_is_written_for_the_locale() -> None:
    text = render_notice(
        "claim_link",
        zone=LAGOS,
        language="fr",
        sender="Amina",
        currency="USD",
        amount=Decimal("1500.5"),
        bank="Demo Bank",
        expires=AT,
        url="https://x",
    )
    assert text.startswith("Amina vous a envoyé 1\u202f500,50 USD avec Demo Bank.")
    assert "avant le 02 nov. 2026" in text
