"""The step-up throttle through the real webhook: a customer who has been challenged for ten
requests this hour asks to change her PIN; the reply says until when and that the request is
kept; an hour later (session and conversation idle meanwhile) ``retry`` goes on — a login, the
code by SMS, the PIN page — without asking for anything again. ``resend`` inside the cooldown
says when the next code can go, and sends nothing.
"""

from __future__ import annotations

from app import Services
from auth.ports import StepUpRequest
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina, whatsapp_to
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def test_a_throttled_pin_change_is_kept_and_goes_on_after_retry(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    clock: FrozenClock,
) -> None:
    register_amina(whatsapp, secure)
    for n in range(10):  # ten requests challenged this hour (elsewhere in the chat)
        request = StepUpRequest("INTRA_BANK_FUND_TRANSFER_CREATE", f"{n + 1}.00", "USD", "C", "1")
        services.stepup.begin(AMINA, "C001", request)
    services.stepup.cancel(AMINA, "C001")
    whatsapp.send(AMINA, "profile")
    paused = whatsapp.send(AMINA, "2").text
    assert paused.startswith(
        "You've started many security checks in the last hour, so the next one can start at "
        "02 Nov 11:00 WAT (in 60 minutes). I've kept your request: reply *retry* then"
    )
    sms_before = len([m for m in outbox.messages(AMINA) if m["channel"] == "sms"])
    clock.advance(minutes=61)
    login = whatsapp.send(AMINA, "retry").text  # the session ended meanwhile: log in first
    assert "Log in to continue" in login
    assert secure.login(link_in(login)).status == 200
    resumed = whatsapp_to(outbox, AMINA)[-1]
    assert resumed.startswith("You're logged in.") and "we sent a code by SMS" in resumed
    assert len([m for m in outbox.messages(AMINA) if m["channel"] == "sms"]) > sms_before
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert link_in(done).startswith("/secure/pin/")


def test_resend_in_the_cooldown_says_when_and_sends_nothing(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "profile")
    whatsapp.send(AMINA, "2")
    sent = len(outbox.messages(AMINA))
    clock.advance(seconds=12)
    reply = whatsapp.send(AMINA, "resend").text
    assert "nothing was sent now. The next one can go in 18 seconds" in reply
    assert "on its way" not in reply
    assert len(outbox.messages(AMINA)) == sent  # no new code (the reply is the TwiML answer)
