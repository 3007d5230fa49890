"""Claiming money sent to a number that already has a wallet, through the real webhook, pages,
Redis and bank: the claim page leads to the chat's login page (ID, PIN, the PIN lockout), the
held amount is paid into the wallet once — a second post of the form, a second browser and a
refund in between all get the neutral page — the sender is told, each claim is audited, and a
wallet without chat banking is told to register on WhatsApp first."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from urllib.parse import urlparse

from flask import Flask

from app import Services
from auth.ports import Status
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import claim_link, send_to_mobile
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import Page, SecurePages, link_in
from workers.claims import refund_claim

TUNDE = "+2348030000002"  # Tunde Bakare (C002): chat banking, no wallet until one is given
TUNDE_WALLET = "0234599999"
GRACE = "+2348030000005"  # Grace Okafor (C005): not in the chat-banking directory
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def give_wallet(services: Services, customer_id: str, number: str) -> None:
    """A wallet opened for the customer at a branch after the money was held."""
    services.bank.db.run(
        "INSERT INTO accounts (number, customer_id, type, currency, balance)"
        " VALUES (?, ?, 'wallet', 'USD', 0)",
        number,
        customer_id,
    )


def register_tunde(whatsapp: WhatsApp, secure: SecurePages) -> None:
    path = link_in(whatsapp.send(TUNDE, "balance").text)
    done = secure.register(path, TUNDE, login_id="tunde.b", dob="1985-11-23", nin4="8902")
    assert done.status == 200 and "registered" in done.text
    whatsapp.send(TUNDE, "logout")  # the chat is signed out: the claim must not sign it in


def held_for(whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, to: str) -> str:
    """Amina sends USD 25 to ``to`` (no wallet yet: held); the claim link's path."""
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, to, "25")
    return claim_link(outbox, to)


def plain(page: Page) -> Page:
    """The page with its entities read and its inline emphasis and isolation dropped."""
    return Page(page.status, html.unescape(re.sub(r"</?(?:strong|bdi)[^>]*>", "", page.text)))


def login_path(secure: SecurePages, claim: str) -> str:
    """Press "Log in and receive it" on the claim page; the login page's path."""
    page = secure.get(claim)
    assert "Log in and receive it" in page.text, page.text
    token = _CSRF.search(page.text)
    assert token is not None
    sent = secure.client.post(claim, data={"csrf_token": token.group(1)})
    assert sent.status_code == 303 and "/secure/claim/" in sent.headers["Location"]
    return urlparse(sent.headers["Location"]).path


def wallet_balance(services: Services, msisdn: str) -> Decimal:
    wallet = services.bank.wallet_of(msisdn)
    assert wallet is not None
    return wallet.balance


def claims_audited(services: Services) -> list[dict[str, str]]:
    entries = services.auth.audit.window()
    return [dict(e.fields) for e in entries if e.fields["event"] == "money.claim"]


def test_a_wallet_holder_logs_in_and_is_paid_once(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    path = login_path(secure, claim)
    page = plain(secure.get(path))
    assert page.status == 200 and "Log in to receive your money" in page.text
    assert "USD 25.00" in page.text and "+234•••••0002" in page.text

    wrong = plain(secure.login(path, login_id="tunde.b", pin="111222"))
    assert wrong.status == 401 and "You have 4 tries left" in wrong.text
    assert wallet_balance(services, TUNDE) == Decimal("0.00")

    done = plain(secure.login(path, login_id="tunde.b"))
    assert done.status == 200 and "It's in your wallet" in done.text, done.text
    assert "USD 25.00 is now in your wallet ••9999. Balance: USD 25.00" in done.text
    assert wallet_balance(services, TUNDE) == Decimal("25.00")
    # The form posted again (a double tap, the back button): the neutral page, nothing paid.
    form = {"login_id": "tunde.b", "pin": "495817", "csrf_token": secure.csrf}
    again = secure.client.post(path, data=form)
    assert again.status_code == 404 and "This link no longer works" in again.get_data(True)
    assert secure.get(claim).status == 404  # the claim link is used up too
    assert wallet_balance(services, TUNDE) == Decimal("25.00")

    # Amina sent it from the chat minutes ago: her window is open, so she's told there.
    told = [m["body"] for m in outbox.messages(AMINA) if m.get("path") == "session"][-1]
    assert told.startswith("The USD 25.00 you sent to +234•••••0002 (Ref ")
    [paid] = claims_audited(services)
    assert (paid["result"], paid["customer"], paid["amount"]) == ("success", "C002", "USD 25.00")
    assert paid["parties"] == "from ••6789 to +234•••••0002 (wallet ••9999)"
    logins = [e.fields for e in services.auth.audit.window() if e.fields["event"] == "login"]
    [claim_login] = [e for e in logins if e.get("purpose") == "claim"]
    assert (claim_login["result"], claim_login["customer"]) == ("success", "C002")
    # Receiving money on the page doesn't sign the chat in.
    assert services.auth.check(TUNDE).status is not Status.VALID
    assert services.bank.ledger_problems() == []


def test_wrong_pins_on_the_claim_page_block_chat_banking_as_in_the_chat(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    path = login_path(secure, claim)
    for _ in range(4):
        secure.login(path, login_id="tunde.b", pin="111222")
    last = plain(secure.login(path, login_id="tunde.b", pin="111222"))
    assert last.status == 403 and "blocked" in last.text.lower()
    # The right PIN is refused while blocked; the chat is blocked too.
    refused = secure.login(path, login_id="tunde.b")
    assert refused.status == 403
    assert services.auth.check(TUNDE).status is Status.BLOCKED
    assert wallet_balance(services, TUNDE) == Decimal("0.00")
    assert claims_audited(services) == []


def test_a_wallet_without_chat_banking_is_told_to_register_first(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    give_wallet(services, "C002", TUNDE_WALLET)
    page = plain(secure.get(claim))
    assert page.status == 200
    assert "isn't registered for chat banking yet" in page.text
    assert "send hi to Demo Bank on WhatsApp" in page.text
    assert "Then open this link again" in page.text and "<button" not in page.text
    posted = secure.post(claim, {})  # a stale form: still only the advice, no link
    assert posted.status == 200 and "/secure/" not in posted.text
    assert wallet_balance(services, TUNDE) == Decimal("0.00")
    # Registered, the same link leads to the login and pays.
    register_tunde(whatsapp, secure)
    path = login_path(secure, claim)
    assert secure.login(path, login_id="tunde.b").status == 200
    assert wallet_balance(services, TUNDE) == Decimal("25.00")


def test_a_customer_without_a_wallet_or_chat_banking_is_sent_to_a_branch(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    claim = held_for(whatsapp, secure, outbox, GRACE)
    page = plain(secure.get(claim))
    assert "Visit a branch with your ID" in page.text and "12 Allen Avenue" in page.text
    assert "<button" not in page.text  # not led to opening a wallet it would be refused
    give_wallet(services, "C005", "0567899999")
    page = plain(secure.get(claim))  # a wallet, but not in the chat-banking directory
    assert "Visit a branch with your ID" in page.text


def test_a_claim_refunded_meanwhile_gets_the_neutral_page_and_counts_nothing(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    clock: FrozenClock,
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    path = login_path(secure, claim)
    login_page = secure.get(path)
    clock.advance(days=7)
    (expired,) = services.bank.expired_claims()
    assert refund_claim(expired) == "refunded"
    clock.advance(days=-7)  # the login link would still be live: the claim is what's gone
    token = _CSRF.search(login_page.text)
    assert token is not None
    form = {"login_id": "tunde.b", "pin": "111222", "csrf_token": token.group(1)}
    posted = secure.client.post(path, data=form)
    assert posted.status_code == 404 and "This link no longer works" in posted.get_data(True)
    assert secure.get(path).status == 404 and secure.get(claim).status == 404
    assert wallet_balance(services, TUNDE) == Decimal("0.00")
    failures = [e for e in services.auth.audit.window() if e.fields["result"] == "failure"]
    assert failures == []  # a wrong PIN on a dead claim is not even checked


def test_the_claim_login_page_has_the_secure_pages_headers(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    app: Flask,
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    response = secure.client.get(login_path(secure, claim))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "default-src" in response.headers["Content-Security-Policy"]
    assert secure.client.get("/secure/claim/not-a-token").status_code == 404
