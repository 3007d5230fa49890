"""The window's arithmetic at its edges (pure, frozen times) and the notices' templates, in
every language that translates them: each a valid WhatsApp ``twilio/text`` body in the Content
API's create shape, its variables filled from the same values as the free-form text in that
language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot import notice_templates as templates_module
from bot.notice_templates import (
    CATEGORY,
    approval_request,
    create_request,
    friendly_name,
    languages,
    missing_samples,
    samples,
    templates,
)
from bot.window import MARGIN, WINDOW, is_open, why
from messaging import languages as languages_module
from messaging import notices as notices_module
from messaging.languages import Catalogs, Entry, catalogs
from messaging.notices import (
    MAX_VARIABLE,
    NOTICES,
    WHATSAPP_NOTICES,
    render_notice,
    template_body,
    template_variables,
)

WROTE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
VARIABLE = re.compile(r"\{\{(\d+)\}\}")
EACH = [(key, lang) for key in sorted(WHATSAPP_NOTICES) for lang in catalogs().languages]


def test_the_window_is_open_until_a_margin_before_24_hours() -> None:
    closes = WROTE + WINDOW - MARGIN
    assert is_open(WROTE, WROTE)
    assert is_open(WROTE, closes - timedelta(microseconds=1))
    assert not is_open(WROTE, closes)
    assert not is_open(WROTE, WROTE + WINDOW)
    assert not is_open(None, WROTE)  # nothing on record: fails closed
    assert is_open(WROTE, WROTE - timedelta(minutes=1))  # a clock set back a little


def test_the_reason_says_which_side_and_how_long_ago() -> None:
    assert why(WROTE, WROTE + timedelta(hours=3, minutes=7)) == (
        "inside the window: last message 3 h 07 min ago"
    )
    assert why(WROTE, WROTE + timedelta(hours=30)) == (
        "outside the window: last message 30 h 00 min ago"
    )
    assert why(None, WROTE) == "outside the window: no message from them on record"


@pytest.mark.parametrize(("key", "lang"), EACH)
def test_each_template_is_a_valid_whatsapp_body(key: str, lang: str) -> None:
    body = template_body(key, lang)
    numbers = [int(n) for n in VARIABLE.findall(body)]
    assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1))
    # WhatsApp refuses a variable at either end of the body, and two side by side.
    assert not body.startswith("{{") and not body.rstrip(".").endswith("}}")
    assert not re.search(r"\}\}\s*\{\{", body)
    assert len(body) <= 1024 and "{" not in VARIABLE.sub("", body)


@pytest.mark.parametrize(("key", "lang"), EACH)
def test_the_variables_fill_the_template_to_the_free_form_text(key: str, lang: str) -> None:
    assert lang in languages(key)  # the shipped catalogs translate every WhatsApp notice
    template = templates()[friendly_name(key, lang)]
    assert template["language"] == lang
    names = sorted({name for name in re.findall(r"\{(\w+)", NOTICES[key])})
    params = {name: samples(lang)[name] for name in names}
    values = template_variables(key, language=lang, **params)
    assert values == template["variables"]  # the samples are the values of the same fields
    body = template["types"]["twilio/text"]["body"]
    assert body == template_body(key, lang)
    filled = VARIABLE.sub(lambda m: values[m.group(1)], body)
    assert filled == render_notice(key, language=lang, **params)


def reordered(monkeypatch: pytest.MonkeyPatch) -> None:
    """French catalogs whose refund notice names its fields in another order than English,
    and which lack ``chat_waiting``."""
    french = {
        "claim_refunded_sender": Entry(
            NOTICES["claim_refunded_sender"],
            "Votre compte {account} a été recrédité : les {amount} envoyés au {number} "
            "(réf. {reference}) n'ont pas été réclamés sous 7 jours.",
        )
    }
    found = Catalogs({"fr": french})
    monkeypatch.setattr(languages_module, "catalogs", lambda: found)
    monkeypatch.setattr(notices_module, "catalogs", lambda: found)
    monkeypatch.setattr(templates_module, "catalogs", lambda: found)


def test_a_translation_numbers_its_variables_in_its_own_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reordered(monkeypatch)
    params = {"amount": "150,00 $US", "number": "+234•••••0001", "reference": "TX1"}
    params["account"] = "••6789"
    body = template_body("claim_refunded_sender", "fr")
    assert body.startswith("Votre compte {{1}} a été recrédité : les {{2}} envoyés au {{3}}")
    values = template_variables("claim_refunded_sender", language="fr", **params)
    assert values == {"1": "••6789", "2": "150,00 $US", "3": "+234•••••0001", "4": "TX1"}
    filled = VARIABLE.sub(lambda m: values[m.group(1)], body)
    assert filled == render_notice("claim_refunded_sender", language="fr", **params)
    english = template_variables("claim_refunded_sender", **params)  # English keeps its order
    assert english["1"] == "150,00 $US" and english["4"] == "••6789"


def test_a_language_without_the_notice_has_no_template_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reordered(monkeypatch)
    assert languages("claim_refunded_sender") == ("en", "fr")
    assert languages("chat_waiting") == ("en",)  # French lacks it: English's template serves


def test_the_definitions_are_in_the_content_api_shape() -> None:
    assert missing_samples() == set()
    assert set(templates()) == {
        f"teller_{key}_{lang}" for key in WHATSAPP_NOTICES for lang in ("en", "fr", "ar")
    }
    definition = templates()["teller_claim_refunded_sender_en"]
    assert create_request(definition) == {
        "friendly_name": "teller_claim_refunded_sender_en",
        "language": "en",
        "variables": {"1": "USD 150.00", "2": "+234•••••0001", "3": "TX8F3K2", "4": "••6789"},
        "types": {
            "twilio/text": {
                "body": "The {{1}} you sent to {{2}} (Ref {{3}}) wasn't claimed within 7 days, "
                "so it's back in your account {{4}} in full."
            }
        },
    }
    assert approval_request(definition) == {
        "name": "teller_claim_refunded_sender_en",
        "category": "UTILITY",
    }
    assert CATEGORY == "UTILITY"


def test_variables_are_formatted_as_the_text_and_fit_whatsapp() -> None:
    long = "a  very\nlong\treason " * 40
    values = template_variables("kyc_rejected", bank="Demo Bank", reason=long)
    assert "\n" not in values["2"] and "\t" not in values["2"] and "  " not in values["2"]
    assert len(values["2"]) == MAX_VARIABLE and values["2"].endswith("…")
    # A format spec in the notice applies to the variable too (claim_link's amount: ",.2f").
    assert "{amount:,.2f}" in NOTICES["claim_link"]
    fields = {"sender": "Amina", "currency": "USD", "amount": Decimal("1500"), "bank": "B"}
    fields |= {"expires": WROTE, "url": "https://x"}
    assert template_variables("claim_link", **fields)["3"] == "1,500.00"
