"""Step-up journeys through the real webhook: changing the PIN asks for a code by SMS (never in
the chat), a wrong code and then the right one, resend, cancel, and a session that ends in the
middle of the challenge.
"""

from __future__ import annotations

import logging
import re

import pytest

from app import Services
from auth.ports import StepUpRequest, Verdict
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina, whatsapp_to
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def ask_to_change_pin(whatsapp: WhatsApp) -> str:
    assert "2 Change PIN" in whatsapp.send(AMINA, "profile").text
    return whatsapp.send(AMINA, "2").text


def other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_change_pin_with_a_code_by_sms(
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_amina(whatsapp, secure)
    caplog.set_level(logging.DEBUG)
    asked = ask_to_change_pin(whatsapp)
    assert asked == (
        "For your security, we sent a code by SMS to +234•••••0001 for the request you just "
        "made. Type it here (valid 5 minutes). If you didn't ask for this, don't type it "
        "anywhere.\n\n"
        "No code? Reply *resend*, or *other* to use another way."
    )
    code = secure.last_code(AMINA)
    [sms] = [m for m in outbox.messages(AMINA) if m["channel"] == "sms" and code in m["body"]]
    assert sms["body"].startswith(f"Demo Bank: {code} is your code to confirm a change")

    assert whatsapp.send(AMINA, "my code").text == (
        "Please reply with the code's digits only, or *resend* or *cancel*."
    )
    assert whatsapp.send(AMINA, other(code)).text == (
        "That code isn't right. You have 4 tries left."
    )
    done = whatsapp.send(AMINA, code[:3] + " " + code[3:]).text
    assert done.startswith("Change your PIN on our secure page (link valid")
    assert link_in(done).startswith("/secure/pin/")

    assert not any(code in text for text in whatsapp_to(outbox, AMINA))
    assert code not in caplog.text


def test_a_used_code_does_not_change_the_pin_twice(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    ask_to_change_pin(whatsapp)
    code = secure.last_code(AMINA)
    assert "/secure/pin/" in whatsapp.send(AMINA, code).text
    again = whatsapp.send(AMINA, code).text  # now in the main menu: not an answer
    assert "/secure/pin/" not in again


def test_resend_replaces_the_code(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    ask_to_change_pin(whatsapp)
    first = secure.last_code(AMINA)
    # The wait also runs on Redis's own clock, where real time passes under the frozen clock:
    # a slow machine may already be a second in ("29 seconds").
    refused = whatsapp.send(AMINA, "resend").text
    assert re.sub(r"can go in 29 seconds", "can go in 30 seconds", refused) == (
        "We sent your last code less than 30 seconds ago, so nothing was sent now. The next one "
        "can go in 30 seconds: reply *resend* then, or *other* for another way.\n\n"
        "No code? Reply *resend*, or *other* to use another way."
    )
    clock.advance(seconds=30)
    assert whatsapp.send(AMINA, "resend").text.startswith(
        "We sent a new code by SMS to +234•••••0001 for this request. Type it here."
    )
    second = secure.last_code(AMINA)
    if second != first:
        assert "That code isn't right. You have 4 tries left." in whatsapp.send(AMINA, first).text
    assert "/secure/pin/" in whatsapp.send(AMINA, second).text
    assert not any(c in t for t in whatsapp_to(outbox, AMINA) for c in (first, second))


def test_cancel_ends_the_challenge(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    ask_to_change_pin(whatsapp)
    cancelled_code = secure.last_code(AMINA)
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled. Nothing was changed.")
    assert "/secure/pin/" not in whatsapp.send(AMINA, cancelled_code).text
    late = services.stepup.answer(AMINA, "C001", StepUpRequest("PASSWORD_UPDATE"), cancelled_code)
    assert late.verdict is Verdict.EXPIRED

    ask_to_change_pin(whatsapp)  # a new challenge: the cancelled code is not its code
    code = secure.last_code(AMINA)
    if code != cancelled_code:
        refused = whatsapp.send(AMINA, cancelled_code).text
        assert refused == "That code isn't right. You have 4 tries left."
    assert "/secure/pin/" in whatsapp.send(AMINA, code).text


def test_a_session_that_ends_during_the_challenge(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    ask_to_change_pin(whatsapp)
    first = secure.last_code(AMINA)
    clock.advance(minutes=6)
    reply = whatsapp.send(AMINA, first)
    assert "Your session has ended. Log in to continue" in reply.text
    assert "/secure/pin/" not in reply.text

    page = secure.login(link_in(reply.text))
    assert page.status == 200 and "You're logged in" in page.text
    resumed = whatsapp_to(outbox, AMINA)[-1]
    assert resumed.startswith("You're logged in.")
    assert "we sent a code by SMS to +234•••••0001" in resumed  # the challenge starts again
    second = secure.last_code(AMINA)
    if second != first:
        assert "isn't right" in whatsapp.send(AMINA, first).text
    assert "/secure/pin/" in whatsapp.send(AMINA, second).text
