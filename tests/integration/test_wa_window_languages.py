"""Outside the 24-hour window, a notice goes as the approved template in the customer's
language, else as English's, else as an SMS in their language; inside it, free-form. On real
Redis with a frozen clock at the window's edge; the decision and what was passed over are in
the reason and the log, the number masked. A 63016 falls back to the template of the language
the notice was written in."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from app import Services
from auth.stores.languages import LanguageStore
from bot.content.store import CONTENT_KEY
from bot.messenger import OutboxMessenger
from bot.outbound import OUTBOUND_KEY
from bot.window import MARGIN, WINDOW
from messaging import Notice, Path
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import send_to_mobile
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.integration.test_wa_window_paths import status
from tests.secure_pages import SecurePages
from workers.claims import refund_claim

FR_SID = "HX" + "f" * 32
EN_SID = "HX" + "e" * 32
REFUND = {"amount": "25,00 $US", "number": "+234•••••9999", "reference": "TX1", "account": "••6789"}


def approve(services: Services, name: str, sid: str, approval: str = "approved") -> None:
    """What ``whatsapp sync-content`` stores for a template."""
    services.redis.hset(CONTENT_KEY, name, json.dumps({"sid": sid, "approval": approval}))


def refund(language: str = "fr") -> Notice:
    return Notice("claim_refunded_sender", AMINA, REFUND, language=language)


def outside(services: Services, clock: FrozenClock) -> None:
    """Amina wrote a moment more than the window (less its margin) ago."""
    services.outbound.window.seen(AMINA, clock.now)
    clock.advance(seconds=(WINDOW - MARGIN).total_seconds())


def last(outbox: OutboxMessenger) -> dict[str, object]:
    return outbox.messages(AMINA)[-1]


def test_a_french_customer_outside_the_window_gets_the_french_template(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_claim_refunded_sender_fr", FR_SID)
    approve(services, "teller_claim_refunded_sender_en", EN_SID)
    services.outbound.window.seen(AMINA, clock.now)
    clock.advance(seconds=(WINDOW - MARGIN - timedelta(seconds=1)).total_seconds())
    assert services.outbound.notify(refund()).path is Path.SESSION  # the last second inside
    clock.advance(seconds=1)
    sent = services.outbound.notify(refund())
    assert sent.path is Path.TEMPLATE
    assert sent.reason.endswith("; template teller_claim_refunded_sender_fr")
    message = last(outbox)
    assert (message["channel"], message["path"], message["content_sid"]) == (
        "whatsapp",
        "template",
        FR_SID,
    )
    # French names the same fields in the same order; the values as French writes them.
    assert message["content_variables"] == {
        "1": "25,00 $US",
        "2": "+234•••••9999",
        "3": "TX1",
        "4": "••6789",
    }
    assert str(message["body"]).startswith("Les 25,00 $US envoyés au +234•••••9999 (réf. TX1)")


@pytest.mark.parametrize("french", ["pending", "rejected", "unsubmitted", None])
def test_without_an_approved_french_template_the_english_one_goes(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock, french: str | None
) -> None:
    if french is not None:
        approve(services, "teller_claim_refunded_sender_fr", FR_SID, french)
    approve(services, "teller_claim_refunded_sender_en", EN_SID)
    outside(services, clock)
    sent = services.outbound.notify(refund())
    assert sent.path is Path.TEMPLATE
    assert sent.reason.endswith(
        "; template teller_claim_refunded_sender_en "
        f"(over teller_claim_refunded_sender_fr {french or 'not synced'})"
    )
    message = last(outbox)
    assert message["content_sid"] == EN_SID
    assert message["content_variables"] == {
        "1": "25,00 $US",
        "2": "+234•••••9999",
        "3": "TX1",
        "4": "••6789",
    }


def test_with_no_approved_template_the_sms_goes_in_french(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_claim_refunded_sender_en", EN_SID, "pending")
    outside(services, clock)
    sent = services.outbound.notify(refund())
    assert sent.path is Path.SMS
    assert sent.reason.endswith(
        "; template teller_claim_refunded_sender_fr not synced, "
        "teller_claim_refunded_sender_en pending"
    )
    message = last(outbox)
    assert (message["channel"], message["path"]) == ("sms", "sms")
    assert str(message["body"]) == (
        "Les 25,00 $US envoyés au +234•••••9999 (réf. TX1) n'ont pas été réclamés sous 7 jours : "
        "ils sont revenus sur votre compte ••6789 en totalité."
    )


def test_the_decision_is_logged_masked_with_what_was_passed_over(
    services: Services, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    approve(services, "teller_claim_refunded_sender_en", EN_SID)
    outside(services, clock)
    with caplog.at_level(logging.INFO, logger="teller.outbound"):
        sent = services.outbound.notify(refund("ar"))
    [line] = [r.getMessage() for r in caplog.records if r.name == "teller.outbound"]
    assert line == (
        f"proactive claim_refunded_sender to +234•••••0001: template as {sent.sid} (outside the "
        "window: last message 23 h 55 min ago; template teller_claim_refunded_sender_en (over "
        "teller_claim_refunded_sender_ar not synced))"
    )
    assert AMINA not in caplog.text and AMINA.lstrip("+") not in caplog.text


def test_a_63016_falls_back_to_the_template_of_the_notice_s_language(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_kyc_rejected_fr", FR_SID)
    services.outbound.window.seen(AMINA, clock.now)  # Teller thinks it's open
    notice = Notice("kyc_rejected", AMINA, {"bank": "Demo Bank", "reason": "flou"}, "fr")
    sent = services.outbound.notify(notice)
    assert sent.path is Path.SESSION
    assert status(whatsapp, sent.sid, "failed", "63016") == 204
    fallback = last(outbox)
    assert (fallback["path"], fallback["content_sid"]) == ("template", FR_SID)
    assert fallback["content_variables"] == {"1": "Demo Bank", "2": "flou"}


def test_a_record_kept_before_templates_had_languages_falls_back_in_english(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_kyc_rejected_fr", FR_SID)
    approve(services, "teller_kyc_rejected_en", EN_SID)
    services.outbound.window.seen(AMINA, clock.now)
    notice = Notice("kyc_rejected", AMINA, {"bank": "Demo Bank", "reason": "flou"}, "fr")
    sent = services.outbound.notify(notice)
    old = json.dumps({"1": "Demo Bank", "2": "flou"})  # English's variables alone
    services.redis.hset(OUTBOUND_KEY.format(sid=sent.sid), "variables", old)
    assert status(whatsapp, sent.sid, "failed", "63016") == 204
    fallback = last(outbox)
    assert (fallback["path"], fallback["content_sid"]) == ("template", EN_SID)
    assert fallback["content_variables"] == {"1": "Demo Bank", "2": "flou"}


def test_a_french_sender_s_refund_a_week_later_takes_the_french_template(
    services: Services,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    clock: FrozenClock,
) -> None:
    approve(services, "teller_claim_refunded_sender_fr", FR_SID)
    approve(services, "teller_claim_refunded_sender_en", EN_SID)
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, "0803 999 9999", "25")
    LanguageStore(services.redis).set(AMINA, "fr")
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    assert refund_claim(claim) == "refunded"
    [told] = [m for m in outbox.messages(AMINA) if m.get("content_sid") == FR_SID]
    variables = told["content_variables"]
    assert isinstance(variables, dict)
    assert variables["1"] == "25,00\xa0$US" and variables["2"] == "+234•••••9999"
    assert variables["3"].startswith("TX") and variables["4"] == "••6789"
    assert f"(réf. {variables['3']}) n'ont pas été réclamés sous 7 jours" in str(told["body"])
