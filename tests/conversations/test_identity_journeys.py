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
