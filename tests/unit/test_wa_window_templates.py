"""The window's arithmetic at its edges (pure, frozen times) and the notices' templates: each a
valid WhatsApp ``twilio/text`` body in the Content API's create shape, its variables filled from
the same values as the free-form text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.notice_templates import (
    CATEGORY,
    SAMPLES,
    TEMPLATES,
    approval_request,
    create_request,
    friendly_name,
    missing_samples,
)
from bot.window import MARGIN, WINDOW, is_open, why
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


@pytest.mark.parametrize("key", sorted(WHATSAPP_NOTICES))
def test_each_template_is_a_valid_whatsapp_body(key: str) -> None:
    body = template_body(key)
    numbers = [int(n) for n in VARIABLE.findall(body)]
    assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1))
    # WhatsApp refuses a variable at either end of the body, and two side by side.
    assert not body.startswith("{{") and not body.rstrip(".").endswith("}}")
    assert not re.search(r"\}\}\s*\{\{", body)
    assert len(body) <= 1024 and "{" not in VARIABLE.sub("", body)


@pytest.mark.parametrize("key", sorted(WHATSAPP_NOTICES))
def test_the_variables_fill_the_template_to_the_free_form_text(key: str) -> None:
    template = TEMPLATES[friendly_name(key)]
    samples = template["variables"]
    names = sorted({name for name in re.findall(r"\{(\w+)", NOTICES[key])})
    params = {name: SAMPLES[name] for name in names}
    values = template_variables(key, **params)
    assert values == samples  # the samples are the values of the same fields
    filled = VARIABLE.sub(lambda m: values[m.group(1)], template_body(key))
    assert filled == render_notice(key, **params)


def test_the_definitions_are_in_the_content_api_shape() -> None:
    assert missing_samples() == set()
    assert set(TEMPLATES) == {f"teller_{key}_en" for key in WHATSAPP_NOTICES}
    definition = TEMPLATES["teller_claim_refunded_sender_en"]
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
