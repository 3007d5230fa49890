"""The one outbound path on real Redis, with a frozen clock: a proactive message inside the
24-hour window goes free-form, just outside it as its approved template (the Content SID and its
variables), outside it with no approved template by SMS; the webhook opens the window; a 63016
status callback closes it and falls back once; the decision is logged, masked; the refund and
claim notices and a document take the template path when the window has closed."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from app import Services
from bot.content.store import CONTENT_KEY
from bot.messenger import OutboxMessenger
from bot.window import MARGIN, WINDOW
from messaging import Notice, Path
from tests.conftest import AMINA
from tests.conversations.test_claim_journeys import (
    TUNDE,
    give_wallet,
    login_path,
    plain,
    register_tunde,
)
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import claim_link, send_to_mobile
from tests.documents import media_messages, run_jobs, transfer
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages
from workers.claims import refund_claim
from workers.jobs import enqueue_receipt

STATUS_URL = "https://teller.test/whatsapp/status"
REFUND_SID = "HX" + "1" * 32


def approve(services: Services, name: str, sid: str, approval: str = "approved") -> None:
    """What ``whatsapp sync-content`` stores for a template."""
    services.redis.hset(CONTENT_KEY, name, json.dumps({"sid": sid, "approval": approval}))


def kyc_notice(to: str = AMINA) -> Notice:
    params = {"bank": "Demo Bank", "reason": "the photo is blurred"}
    return Notice("kyc_rejected", to, params)


def last(outbox: OutboxMessenger, to: str = AMINA) -> dict[str, object]:
    return outbox.messages(to)[-1]


def status(whatsapp: WhatsApp, sid: str, state: str, error: str = "") -> int:
    form = {"MessageSid": sid, "MessageStatus": state, "ErrorCode": error}
    headers = {"X-Twilio-Signature": whatsapp.sign(form, STATUS_URL)}
    return whatsapp.client.post("/whatsapp/status", data=form, headers=headers).status_code


def test_the_webhook_records_the_last_inbound_message_on_the_clock(
    services: Services, whatsapp: WhatsApp, clock: FrozenClock
) -> None:
    assert services.outbound.window.last(AMINA) is None
    whatsapp.send(AMINA, "hi")
    assert services.outbound.window.last(AMINA) == clock.now
    clock.advance(hours=3)
    whatsapp.send(AMINA, "menu")
    assert services.outbound.window.last(AMINA) == clock.now
    assert services.redis.exists(f"teller:{{{AMINA}}}:inbound_at")  # the customer's hash tag


def test_inside_the_window_a_notice_goes_free_form(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_kyc_rejected_en", "HX" + "2" * 32)  # not needed inside
    services.outbound.window.seen(AMINA, clock.now)
    clock.advance(hours=23)
    sent = services.outbound.notify(kyc_notice())
    assert sent.path is Path.SESSION and "inside the window" in sent.reason
    message = last(outbox)
    assert (message["channel"], message["path"]) == ("whatsapp", "session")
    assert "content_sid" not in message
    assert "couldn't approve your KYC upgrade: the photo is blurred" in str(message["body"])


def test_at_the_edges_of_the_window_with_a_frozen_clock(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_kyc_rejected_en", "HX" + "2" * 32)
    wrote = clock.now
    services.outbound.window.seen(AMINA, wrote)
    clock.now = wrote + WINDOW - MARGIN - timedelta(seconds=1)  # the last second inside
    assert services.outbound.notify(kyc_notice()).path is Path.SESSION
    clock.now = wrote + WINDOW - MARGIN  # closed, a margin before WhatsApp closes it
    assert services.outbound.notify(kyc_notice()).path is Path.TEMPLATE
    clock.now = wrote + WINDOW + timedelta(seconds=1)  # just outside WhatsApp's own window
    assert services.outbound.notify(kyc_notice()).path is Path.TEMPLATE
    assert [m["path"] for m in outbox.messages(AMINA)] == ["session", "template", "template"]


def test_just_outside_the_window_the_approved_template_goes_with_its_variables(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_kyc_rejected_en", "HX" + "2" * 32)
    services.outbound.window.seen(AMINA, clock.now)
    clock.advance(hours=24, seconds=1)
    sent = services.outbound.notify(kyc_notice())
    assert sent.path is Path.TEMPLATE
    assert "outside the window: last message 24 h 00 min ago" in sent.reason
    message = last(outbox)
    assert (message["channel"], message["path"]) == ("whatsapp", "template")
    assert message["content_sid"] == "HX" + "2" * 32
    assert message["content_variables"] == {"1": "Demo Bank", "2": "the photo is blurred"}
    assert "couldn't approve your KYC upgrade: the photo is blurred" in str(message["body"])
    assert message["media_urls"] == []


@pytest.mark.parametrize("approval", ["pending", "rejected", "unsubmitted", None])
def test_outside_the_window_without_an_approved_template_it_goes_by_sms(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock, approval: str | None
) -> None:
    if approval is not None:
        approve(services, "teller_kyc_rejected_en", "HX" + "2" * 32, approval)
    services.outbound.window.seen(AMINA, clock.now)
    clock.advance(hours=30)
    sent = services.outbound.notify(kyc_notice())
    assert sent.path is Path.SMS
    assert sent.reason.endswith(f"template teller_kyc_rejected_en {approval or 'not synced'}")
    message = last(outbox)
    assert (message["channel"], message["path"]) == ("sms", "sms")
    assert "couldn't approve your KYC upgrade: the photo is blurred" in str(message["body"])


def test_no_message_on_record_is_outside_and_english_s_template_stands_in_for_a_missing_one(
    services: Services, outbox: OutboxMessenger
) -> None:
    approve(services, "teller_kyc_rejected_en", "HX" + "2" * 32)
    notice = Notice("kyc_rejected", AMINA, kyc_notice().params, language="fr")
    sent = services.outbound.notify(notice)
    assert sent.path is Path.TEMPLATE and "no message from them on record" in sent.reason
    assert sent.reason.endswith(
        "template teller_kyc_rejected_en (over teller_kyc_rejected_fr not synced)"
    )
    assert services.outbound.notify(kyc_notice()).path is Path.TEMPLATE


def test_the_decision_is_logged_masked(
    services: Services, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    services.outbound.window.seen(AMINA, clock.now)
    with caplog.at_level(logging.INFO, logger="teller.outbound"):
        sent = services.outbound.notify(kyc_notice())
    [line] = [r.getMessage() for r in caplog.records if r.name == "teller.outbound"]
    assert line.startswith("proactive kyc_rejected to +234•••••0001: session as ")
    assert sent.sid in line and "inside the window: last message 0 h 00 min ago" in line
    assert AMINA not in caplog.text and AMINA.lstrip("+") not in caplog.text


def test_a_63016_callback_closes_the_window_and_falls_back_once(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_kyc_rejected_en", "HX" + "2" * 32)
    services.outbound.window.seen(AMINA, clock.now)  # Teller thinks it's open; WhatsApp disagrees
    sent = services.outbound.notify(kyc_notice())
    assert sent.path is Path.SESSION
    assert status(whatsapp, sent.sid, "sent") == 204
    assert services.outbound.outcome(sent.sid)["outcome"] == "sent"
    assert status(whatsapp, sent.sid, "failed", "63016") == 204
    assert status(whatsapp, sent.sid, "undelivered", "63016") == 204  # once, not twice
    assert status(whatsapp, sent.sid, "failed", "63016") == 204  # a replay: de-duplicated
    paths = [m["path"] for m in outbox.messages(AMINA)]
    assert paths == ["session", "template"]
    fallback = last(outbox)
    record = services.outbound.outcome(sent.sid)
    assert record["fallback"] == fallback["id"]
    assert record["outcome"].startswith("63016; fell back to template as ")
    assert services.outbound.outcome(str(fallback["id"]))["reason"].startswith(
        f"63016 on free-form message {sent.sid}; template teller_kyc_rejected_en"
    )
    assert fallback["content_variables"] == {"1": "Demo Bank", "2": "the photo is blurred"}
    assert services.outbound.window.last(AMINA) is None  # believed closed until she writes again
    assert services.outbound.notify(kyc_notice()).path is Path.TEMPLATE


def test_a_63016_with_no_template_falls_back_to_sms_and_other_failures_do_not(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    services.outbound.window.seen(AMINA, clock.now)
    other = services.outbound.notify(kyc_notice())
    assert status(whatsapp, other.sid, "failed", "63003") == 204  # not the window: no resend
    assert services.outbound.outcome(other.sid)["outcome"] == "failed (error 63003)"
    refused = services.outbound.notify(kyc_notice())
    assert status(whatsapp, refused.sid, "failed", "63016") == 204
    assert [m["path"] for m in outbox.messages(AMINA)] == ["session", "session", "sms"]


def test_the_refund_notice_a_week_later_takes_the_template_path(
    services: Services,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    clock: FrozenClock,
) -> None:
    approve(services, "teller_claim_refunded_sender_en", REFUND_SID)
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, "0803 999 9999", "25")
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    assert refund_claim(claim) == "refunded"
    [told] = [m for m in outbox.messages(AMINA) if m.get("content_sid") == REFUND_SID]
    assert (told["channel"], told["path"]) == ("whatsapp", "template")
    variables = told["content_variables"]
    assert isinstance(variables, dict)
    assert variables["1"] == "USD 25.00" and variables["2"] == "+234•••••9999"
    assert variables["3"].startswith("TX") and variables["4"] == "••6789"
    assert f"(Ref {variables['3']}) wasn't claimed within 7 days" in str(told["body"])


def test_the_claim_paid_notice_after_the_window_takes_the_template_path(
    services: Services,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    clock: FrozenClock,
) -> None:
    approve(services, "teller_claim_paid_sender_en", "HX" + "3" * 32)
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, TUNDE, "25")
    claim = claim_link(outbox, TUNDE)
    clock.advance(days=2)  # Tunde claims two days later: Amina's window has closed
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", "0234599999")
    done = plain(secure.login(login_path(secure, claim), login_id="tunde.b"))
    assert done.status == 200 and "It's in your wallet" in done.text
    told = last(outbox)
    assert (told["path"], told["content_sid"]) == ("template", "HX" + "3" * 32)
    variables = told["content_variables"]
    assert isinstance(variables, dict) and str(variables.pop("3")).startswith("TX")
    assert variables == {"1": "USD 25.00", "2": "+234•••••0002", "4": "Demo Bank"}
    assert str(told["body"]).startswith("The USD 25.00 you sent to +234•••••0002 (Ref TX")


def test_a_document_outside_the_window_is_offered_and_retry_sends_it(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    approve(services, "teller_document_ready_en", "HX" + "4" * 32)
    txn_id = transfer(services, "late")
    clock.advance(hours=25)  # a receipt job that ran a day late (a worker outage)
    enqueue_receipt(services.rq_redis, txn_id)
    run_jobs(services.rq_redis)
    assert media_messages(outbox, AMINA) == []
    offered = last(outbox)
    assert offered["path"] == "template" and "Reply *retry*" in str(offered["body"])
    services.auth.sessions.create(AMINA, clock.now)
    whatsapp.send(AMINA, "retry")  # her message opens the window; the kept PDF goes
    run_jobs(services.rq_redis)
    [media] = media_messages(outbox, AMINA)
    assert media["path"] == "session"


def test_the_chat_resumed_after_a_page_goes_free_form_inside_and_as_a_notice_outside(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    services.outbound.window.seen(AMINA, clock.now)
    assert services.dispatcher.resume(AMINA)
    resumed = last(outbox)
    assert resumed["path"] == "session" and "You're logged in" in str(resumed["body"])
    clock.advance(hours=25)
    assert services.dispatcher.resume(AMINA)
    waiting = last(outbox)
    assert (waiting["channel"], waiting["path"]) == ("sms", "sms")
    assert (
        waiting["body"] == "You're logged in with Demo Bank. Send *menu* in this chat to carry on."
    )


def test_where_a_message_ended_is_logged_and_every_status_recorded(
    services: Services, whatsapp: WhatsApp, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    services.outbound.window.seen(AMINA, clock.now)
    sent = services.outbound.notify(kyc_notice())
    with caplog.at_level(logging.INFO, logger="teller.outbound"):
        assert status(whatsapp, sent.sid, "sent") == 204
        assert services.outbound.outcome(sent.sid)["status"] == "sent"
        assert status(whatsapp, sent.sid, "delivered") == 204
    lines = [r.getMessage() for r in caplog.records if r.name == "teller.outbound"]
    assert lines == [f"proactive kyc_rejected to +234•••••0001 as {sent.sid} (session): delivered"]
    assert services.outbound.outcome(sent.sid)["outcome"] == "delivered"
