"""Every block says the same three things wherever the customer meets it — in the chat, on the
secure page and in the SMS: what is blocked and why (never which factor was wrong), until when
on the bank's clock (10:15 WAT for a block from 09:00 UTC), and what to do (wait, or call the
bank's fraud line from the seed). One test per kind of block: PIN (log in), code (step-up) and
details (registration).
"""

from __future__ import annotations

import re

from app import Services
from auth.ports import StepUpRequest
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_NIN4, SecurePages, link_in

UNTIL = "02 Nov 10:15 WAT"  # the frozen clock's 09:00 UTC, plus the 15-minute block, in Lagos
FRAUD_LINE = "+234 201 234 5600"  # the demo seed's bank.contacts.fraud
WHAT = "chat banking on this number (payments, changes and balances) is blocked"
_TAGS = re.compile(r"<[^>]+>")


def sms_to(outbox: OutboxMessenger) -> list[str]:
    return [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "sms"]


def words(html: str) -> str:
    """A page's text as a reader sees it (tags gone, spaces collapsed)."""
    return " ".join(_TAGS.sub(" ", html).split())


def says_it_all(text: str, reason: str) -> None:
    assert WHAT in text.replace("Chat banking", "chat banking")
    assert reason in text and UNTIL in text and FRAUD_LINE in text
    assert "UTC" not in text


def registered_login_link(whatsapp: WhatsApp, secure: SecurePages) -> str:
    """Amina registered, logged out, with a login link in hand."""
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    whatsapp.send(AMINA, "logout")
    return link_in(whatsapp.send(AMINA, "balance").text)


def test_a_pin_lockout_says_what_until_when_and_whom_to_call(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    path = registered_login_link(whatsapp, secure)
    for _ in range(5):
        page = secure.login(path, pin="000001")
    reason = "too many failed login attempts"
    assert page.status == 403
    says_it_all(words(page.text), reason)
    says_it_all(whatsapp.send(AMINA, "balance").text, reason)
    [sms] = [body for body in sms_to(outbox) if "is blocked until" in body]
    says_it_all(sms, reason)
    assert "wait until then" in sms and "wait until then" in words(page.text)


def test_a_code_lockout_says_the_same_for_balance_as_for_confirmations(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, services: Services
) -> None:
    """The complaint: "confirmations are blocked until 08:56", then `balance` got "blocked …
    for now". A code lockout blocks chat banking, and every reply now says so with the time."""
    assert secure.login(registered_login_link(whatsapp, secure)).status == 200
    # A link the customer holds (a page opened meanwhile); after the block it shows the block.
    path = link_in(services.auth.link(AMINA, "C001", "login").url)
    request = StepUpRequest("INTRA_BANK_FUND_TRANSFER_CREATE", "20.00", "USD", "Chidi O.", "1")
    services.stepup.begin(AMINA, "C001", request)
    for _ in range(5):
        services.stepup.answer(AMINA, "C001", request, "000000")
    reason = "too many wrong codes"
    says_it_all(whatsapp.send(AMINA, "balance").text, reason)
    [sms] = [body for body in sms_to(outbox) if "is blocked until" in body]
    says_it_all(sms, reason)
    page = secure.get(path)
    assert page.status == 403
    says_it_all(words(page.text), reason)


def test_a_details_lockout_at_registration_says_the_same_everywhere(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    secure.post(f"{path}/code", {}, page_path=path)
    code = secure.last_code(AMINA)
    for _ in range(5):
        page = secure.post(
            f"{path}/details",
            {"dob": "1991-01-01", "nin_last4": AMINA_NIN4, "code": code},
            page_path=path,
        )
    reason = "too many failed attempts to confirm your details"
    assert page.status == 403
    says_it_all(words(page.text), reason)
    assert "date of birth" not in words(page.text).lower()  # never which detail was wrong
    says_it_all(words(secure.get(path).text), reason)
    says_it_all(whatsapp.send(AMINA, "balance").text, reason)
    [sms] = [body for body in sms_to(outbox) if "is blocked until" in body]
    says_it_all(sms, reason)
