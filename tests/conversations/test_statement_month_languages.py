"""A statement month typed by name in the customer's language, through the real webhook: French
and Arabic names (wide or abbreviated, with or without their accents), English ones always,
and the period the reply states written in the language. The clock is 2 Nov 2026."""

from __future__ import annotations

import pytest

from flows.responses import CATALOG
from messaging.languages import text
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

GREETING = {"fr": "bonjour", "ar": "مرحبا"}


def at_the_month_question(whatsapp: WhatsApp, secure: SecurePages, language: str) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, GREETING[language])  # the language from now on
    whatsapp.send(AMINA, "statement pdf")
    whatsapp.send(AMINA, "1")  # Savings
    month = whatsapp.send(AMINA, "3").text  # a calendar month
    assert month == text("statement_pdf.month", CATALOG["statement_pdf.month"], language)


@pytest.mark.parametrize(
    ("language", "typed", "period"),
    [
        ("fr", "février", "du 01 févr. 2026 au 28 févr. 2026"),
        ("fr", "Fevrier 2026", "du 01 févr. 2026 au 28 févr. 2026"),
        ("fr", "août", "du 01 août 2026 au 31 août 2026"),
        ("fr", "déc.", "du 01 déc. 2025 au 31 déc. 2025"),  # the last December
        ("fr", "October", "du 01 oct. 2026 au 31 oct. 2026"),  # English, always
        ("ar", "أكتوبر 2026", "الفترة من 01 أكتوبر 2026 إلى 31 أكتوبر 2026"),
        ("ar", "اكتوبر", "الفترة من 01 أكتوبر 2026 إلى 31 أكتوبر 2026"),  # no hamza
        ("ar", "مايو", "الفترة من 01 مايو 2026 إلى 31 مايو 2026"),
        ("ar", "march", "الفترة من 01 مارس 2026 إلى 31 مارس 2026"),
    ],
)
def test_a_month_named_in_the_customers_language_is_sent(
    whatsapp: WhatsApp, secure: SecurePages, language: str, typed: str, period: str
) -> None:
    at_the_month_question(whatsapp, secure, language)
    reply = whatsapp.send(AMINA, typed).text
    assert period in reply, reply
    on_its_way = text("statement_pdf.on_its_way", CATALOG["statement_pdf.on_its_way"], language)
    assert reply.startswith(on_its_way.split("{")[0])


def test_another_languages_month_name_is_not_one(whatsapp: WhatsApp, secure: SecurePages) -> None:
    """French names are read in French only: to an Arabic-speaking customer "février" is not a
    month (English stays accepted for everyone)."""
    at_the_month_question(whatsapp, secure, "ar")
    fallback = "fallback.statement_pdf_month"
    assert whatsapp.send(AMINA, "février").text == text(fallback, CATALOG[fallback], "ar")


@pytest.mark.parametrize(
    ("language", "typed", "period"),
    [
        ("fr", "statement pdf savings février", "du 01 févr. 2026 au 28 févr. 2026"),
        ("ar", "statement pdf savings مايو", "الفترة من 01 مايو 2026 إلى 31 مايو 2026"),
    ],
)
def test_a_one_line_request_names_the_month_in_the_customers_language(
    whatsapp: WhatsApp, secure: SecurePages, language: str, typed: str, period: str
) -> None:
    """The request's words stay English (they are what the customer types in every language);
    the month it names may be in the customer's language, as at the month question."""
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, GREETING[language])
    reply = whatsapp.send(AMINA, typed).text
    assert period in reply, reply
