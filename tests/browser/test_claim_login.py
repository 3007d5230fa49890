"""Claiming money held for a number that has a wallet, in real Chromium at phone width: the
claim page leads to the login, and two browsers posting the login at the same moment — one
with a copy of the other's session, or each with its own link — pay the claim once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app import Services
from bot.messenger import OutboxMessenger
from tests.conversations.test_claim_journeys import (
    TUNDE,
    TUNDE_WALLET,
    give_wallet,
    held_for,
    register_tunde,
)
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 800}


def to_login(context: BrowserContext, url: str) -> Page:
    """Open the claim link and press "Log in and receive it"; the login page, filled in."""
    page = context.new_page()
    page.goto(url)
    assert "USD 25.00" in page.locator("#waiting").inner_text()
    page.get_by_role("button", name="Log in and receive it").click()
    expect(page.locator("h1")).to_have_text("Log in to receive your money")
    fill(page)
    return page


def fill(page: Page) -> None:
    page.get_by_label("Chat-banking ID").fill("tunde.b")
    page.get_by_label("PIN").fill("495817")


def race(first: Page, second: Page) -> list[str]:
    """Both press the button at once; the two headings they end on."""
    with first.expect_navigation(), second.expect_navigation():
        first.evaluate("document.querySelector('#login').click()")
        second.evaluate("document.querySelector('#login').click()")
    return sorted(p.locator("h1").inner_text() for p in (first, second))


def paid_once(services: Services) -> None:
    wallet = services.bank.wallet_of(TUNDE)
    assert wallet is not None and wallet.balance == Decimal("25.00")
    claims = [e for e in services.auth.audit.window() if e.fields["event"] == "money.claim"]
    assert [e.fields["result"] for e in claims] == ["success"]
    assert services.bank.ledger_problems() == []


def test_two_browsers_racing_the_login_with_one_session_pay_once(
    browser: Browser,
    live_server: str,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    services: Services,
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    context = browser.new_context(viewport=PHONE)
    page = to_login(context, live_server + claim)
    # A second browser with the same cookies (a copied session) on the same login page.
    twin = browser.new_context(viewport=PHONE, storage_state=context.storage_state())
    other = twin.new_page()
    other.goto(page.url)
    fill(other)
    headings = race(page, other)
    assert headings == ["It's in your wallet", "This link no longer works"], headings
    paid_once(services)
    twin.close()
    context.close()


def test_two_browsers_each_with_its_own_link_pay_once(
    browser: Browser,
    live_server: str,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    services: Services,
) -> None:
    claim = held_for(whatsapp, secure, outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    one, two = browser.new_context(viewport=PHONE), browser.new_context(viewport=PHONE)
    first, second = to_login(one, live_server + claim), to_login(two, live_server + claim)
    headings = race(first, second)
    assert headings.count("It's in your wallet") == 1, headings
    paid_once(services)
    [won] = [p for p in (first, second) if p.locator("#claimed").count()]
    assert "Balance: USD 25.00" in won.locator("#claimed").inner_text()
    one.close()
    two.close()
