"""Profile changes through the real webhook: the email address and the chat-banking ID, each
behind a step-up, each confirmed by SMS; the new ID logs in, the old one no longer does."""

from __future__ import annotations

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def sms_to(outbox: OutboxMessenger) -> list[str]:
    return [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "sms"]


def test_change_the_email_address(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    assert "4 Change email" in whatsapp.send(AMINA, "profile").text
    assert whatsapp.send(AMINA, "4").text == "What is your new email address?"
    assert "doesn't look like an email address" in whatsapp.send(AMINA, "amina at home").text
    assert "already your email address" in whatsapp.send(AMINA, "amina@example.com").text
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "Amina.Yusuf@Example.org").text
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert "your email address is now a••••@example.org" in done
    customer = services.bank.customer("C001")
    assert customer is not None and customer.email == "amina.yusuf@example.org"
    assert "email address on your account was changed" in sms_to(outbox)[-1]


def test_change_the_chat_banking_id(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "profile")
    assert "What should your new chat-banking ID be?" in whatsapp.send(AMINA, "5").text
    assert "Use 6 to 20 letters" in whatsapp.send(AMINA, "ab").text
    assert "Don't use your phone number" in whatsapp.send(AMINA, "2348030000001").text
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "amina.new").text
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert "your chat-banking ID is now amina.new" in done
    assert "chat-banking ID was changed" in sms_to(outbox)[-1]
    whatsapp.send(AMINA, "logout")
    path = link_in(whatsapp.send(AMINA, "balance").text)
    assert secure.login(path, login_id="amina.y").status == 401  # the old ID is gone
    assert secure.login(path, login_id="AMINA.NEW").status == 200


def test_cancel_keeps_everything(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    for text in ("profile", "4", "new@example.org"):
        whatsapp.send(AMINA, text)
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled. Nothing was changed.")
    customer = services.bank.customer("C001")
    assert customer is not None and customer.email == "amina@example.com"


def test_a_personal_daily_limit(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    clock.advance(hours=25)  # past the cooling-off after registering
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    whatsapp.send(AMINA, "profile")
    asked = whatsapp.send(AMINA, "6").text
    assert "your account level: USD 5,000.00 a day\n• your own limit: none" in asked
    assert "must be lower than the bank's" in whatsapp.send(AMINA, "5000").text
    lowered = whatsapp.send(AMINA, "300").text  # lowering: no code needed
    assert lowered.startswith("Done: you can send up to USD 300.00 a day")
    for text in ("transfer", "5"):
        whatsapp.send(AMINA, text)
    over = whatsapp.send(AMINA, "300.01").text  # whose limit, and where to change it
    assert over == (
        "That's over your own daily limit (USD 300.00): you can send up to USD 300.00 more "
        "today. Send a smaller amount, or change your limit: *profile*, then *Daily limit*."
    )
    whatsapp.send(AMINA, "cancel")
    for text in ("profile", "6"):
        whatsapp.send(AMINA, text)
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "1000").text  # raising: a code
    assert "up to USD 1,000.00 a day" in whatsapp.send(AMINA, secure.last_code(AMINA)).text
    for text in ("profile", "6"):
        whatsapp.send(AMINA, text)
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "remove").text
    assert "the bank's limit applies" in whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert services.auth.daily_cap(AMINA) is None
