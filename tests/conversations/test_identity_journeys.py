"""Identity journeys through the real webhook and the real secure pages (Flask test client):
register from a secured intent, resume it in WhatsApp, log in after expiry, lockouts, logout.
"""

from __future__ import annotations

from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def whatsapp_to(outbox: OutboxMessenger, msisdn: str) -> list[str]:
    return [m["body"] for m in outbox.messages(msisdn) if m["channel"] == "whatsapp"]


def register_amina(whatsapp: WhatsApp, secure: SecurePages) -> None:
    reply = whatsapp.send(AMINA, "balance")
    done = secure.register(link_in(reply.text), AMINA)
    assert done.status == 200 and "registered" in done.text


def test_new_customer_registers_and_gets_the_balance_without_asking_again(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    whatsapp.send(AMINA, "hi")
    reply = whatsapp.send(AMINA, "1")
    assert "set up chat banking first on our secure page" in reply.text
    assert "https://teller.test/secure/register/" in reply.text
    done = secure.register(link_in(reply.text), AMINA)
    assert done.status == 200, done.text
    assert "we've carried on with your request there" in done.text
    resumed = whatsapp_to(outbox, AMINA)
    assert resumed[-1].startswith("You're logged in.")
    assert "Savings ••6789: USD 2,500.00" in resumed[-1]
    assert "0123456789" not in resumed[-1]
    # The session is valid now: the next secured intent goes straight through.
    assert "Your available balances" in whatsapp.send(AMINA, "balance").text


def test_expired_session_asks_to_log_in_and_resumes_the_intent(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    clock.advance(minutes=6)
    reply = whatsapp.send(AMINA, "statement")
    assert "Your session has ended. Log in to continue" in reply.text
    page = secure.login(link_in(reply.text))
    assert page.status == 200 and "You're logged in" in page.text
    resumed = whatsapp_to(outbox, AMINA)[-1]
    assert resumed.startswith("You're logged in.")
    assert "Last transactions on Savings ••6789" in resumed or "Which account?" in resumed


def test_five_wrong_pins_block_and_the_right_pin_is_refused_while_blocked(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "logout")
    path = link_in(whatsapp.send(AMINA, "balance").text)
    for attempt in range(1, 5):
        page = secure.login(path, pin="000001")
        assert page.status == 401
        assert "didn't match our records" in page.text
        if attempt == 4:
            assert "one more wrong try blocks chat banking" in page.text
    blocked = secure.login(path, pin="000001")
    assert blocked.status == 403 and "blocked" in blocked.text
    assert secure.get(path).status == 403
    assert secure.login(path).status == 403  # the right PIN, still refused
    reply = whatsapp.send(AMINA, "balance")
    assert "chat banking on this number (payments, changes and balances) is blocked" in reply.text
    assert "/secure/" not in reply.text
    assert any("after too many failed login attempts" in m["body"] for m in outbox.messages(AMINA))
    clock.advance(minutes=16)
    path = link_in(whatsapp.send(AMINA, "balance").text)
    assert secure.login(path).status == 200


def test_wrong_id_and_wrong_pin_get_the_same_answer(
    whatsapp: WhatsApp, secure: SecurePages
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "logout")
    path = link_in(whatsapp.send(AMINA, "balance").text)
    wrong_pin = secure.login(path, pin="000001")
    wrong_id = secure.login(path, login_id="someone.else")
    assert wrong_pin.status == wrong_id.status == 401
    assert wrong_pin.text.replace("4 tries", "N tries") == wrong_id.text.replace(
        "3 tries", "N tries"
    ).replace(_csrf(wrong_id.text), _csrf(wrong_pin.text))


def _csrf(text: str) -> str:
    start = text.index('name="csrf_token" value="') + len('name="csrf_token" value="')
    return text[start : text.index('"', start)]


def test_idle_and_absolute_expiry(
    whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    clock.advance(minutes=4, seconds=59)
    assert "Your available balances" in whatsapp.send(AMINA, "balance").text  # slides
    clock.advance(minutes=4, seconds=59)
    assert "Your available balances" in whatsapp.send(AMINA, "balance").text
    clock.advance(minutes=5)
    assert "Your session has ended" in whatsapp.send(AMINA, "balance").text
    # 12 hours absolute, however active the customer is.
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    for _ in range(12 * 15 - 1):
        clock.advance(minutes=4)
        assert "Your available balances" in whatsapp.send(AMINA, "balance").text
    clock.advance(minutes=4)
    assert "Your session has ended" in whatsapp.send(AMINA, "balance").text


def test_logout_then_missing_and_a_login_link(
    whatsapp: WhatsApp, secure: SecurePages, app: object
) -> None:
    register_amina(whatsapp, secure)
    assert "You're logged out" in whatsapp.send(AMINA, "LOG OUT").text
    assert "not logged in" in whatsapp.send(AMINA, "logout").text
    reply = whatsapp.send(AMINA, "balance")
    assert "Please log in to continue" in reply.text


def test_security_centre(whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger) -> None:
    register_amina(whatsapp, secure)
    assert "1 Recent logins" in whatsapp.send(AMINA, "profile").text
    logins = whatsapp.send(AMINA, "1").text
    assert "Your recent logins" in logins and "WAT" in logins  # the bank's clock
    whatsapp.send(AMINA, "profile")
    asked = whatsapp.send(AMINA, "2").text  # changing the PIN is PASSWORD_UPDATE: step-up first
    assert "we sent a code by SMS to +234•••••0001" in asked
    pin_link = link_in(whatsapp.send(AMINA, secure.last_code(AMINA)).text)
    assert pin_link.startswith("/secure/pin/")
    changed = secure.post(
        pin_link, {"current_pin": "495817", "new_pin": "730518", "repeat_pin": "730518"}
    )
    assert changed.status == 200 and "Your PIN is changed" in changed.text
    assert any("PIN was changed" in m["body"] for m in outbox.messages(AMINA))
    whatsapp.send(AMINA, "profile")
    assert "logged out everywhere" in whatsapp.send(AMINA, "3").text
    path = link_in(whatsapp.send(AMINA, "balance").text)
    assert secure.login(path, pin="495817").status == 401  # the old PIN is gone
    assert secure.login(path, pin="730518").status == 200


def test_a_secured_step_resumes_after_expiry(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    assert "Profile & security" in whatsapp.send(AMINA, "profile").text
    clock.advance(minutes=6)
    reply = whatsapp.send(AMINA, "1")
    assert "Your session has ended" in reply.text
    secure.login(link_in(reply.text))
    resumed = [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"][-1]
    assert resumed.startswith("You're logged in.") and "1 Recent logins" in resumed
    assert "Your recent logins" in whatsapp.send(AMINA, "1").text


def test_waiting_for_the_page(whatsapp: WhatsApp, secure: SecurePages) -> None:
    first = link_in(whatsapp.send(AMINA, "balance").text)
    assert "finish on the secure page" in whatsapp.send(AMINA, "ok").text
    second = link_in(whatsapp.send(AMINA, "link").text)
    assert second != first
    assert secure.get(first).status == 404  # a newer link replaced it
    assert "Contact us" in whatsapp.send(AMINA, "menu").text


def test_too_many_links(whatsapp: WhatsApp) -> None:
    for _ in range(5):
        assert "/secure/register/" in whatsapp.send(AMINA, "balance").text
    reply = whatsapp.send(AMINA, "balance")
    assert "several links in a short time" in reply.text and "/secure/" not in reply.text
