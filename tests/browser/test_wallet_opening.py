"""Opening a wallet in real Chromium at phone width: the onboarding page end to end (with
screenshots for docs/onboarding.md), and money held for the number paid in once even when two
browsers post the last step at the same moment."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from app import Services
from bot.messenger import OutboxMessenger
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import send_to_mobile
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

pytestmark = pytest.mark.browser
BOLA = "+2348039990001"
PHONE = {"width": 375, "height": 800}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img"
_CODE = re.compile(r"\b(\d{6}) is your code")


def last_code(outbox: OutboxMessenger) -> str:
    for message in reversed(outbox.messages(BOLA)):
        found = _CODE.search(message["body"])
        if found:
            return found.group(1)
    raise AssertionError("no code")


def fill_first_step(
    page: Page, outbox: OutboxMessenger, dob: tuple[str, str, str], send: bool = True
) -> None:
    if send:
        page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Full name, as on your national ID").fill("Bola Ade")
    page.get_by_label("Day").fill(dob[0])
    page.get_by_label("Month").select_option(dob[1])
    page.get_by_label("Year").fill(dob[2])
    page.get_by_label("National ID number (NIN)").fill("29876543210")
    page.get_by_label("Email address").fill("bola@example.com")
    page.get_by_label("Code from the SMS").fill(last_code(outbox))
    page.get_by_label("I accept the").check()
    page.get_by_role("button", name="Continue").click()


def to_last_step(page: Page) -> None:
    page.get_by_label("Chat-banking ID").fill("bola.ade")
    page.get_by_label("PIN", exact=True).fill("495817")
    page.get_by_label("PIN again").fill("495817")
    page.get_by_role("button", name="Continue").click()
    for n in (1, 2, 3):
        page.locator(f"#answer_{n}").fill(f"answer number {n}")
    page.get_by_role("button", name="Continue").click()


def shot(page: Page, name: str) -> None:
    if os.environ.get("TELLER_SCREENSHOTS"):  # refreshed on purpose, not on every run
        page.screenshot(path=str(DOCS / name), full_page=True)


def test_a_wallet_opens_in_chromium_at_phone_width(
    browser: Browser,
    live_server: str,
    whatsapp: WhatsApp,
    outbox: OutboxMessenger,
    services: Services,
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    path = link_in(whatsapp.send(BOLA, "open wallet").text)
    page.goto(live_server + path)
    fill_first_step(page, outbox, ("29", "9", "2001"))  # a day off the registry's record
    assert "don't match the national ID record" in page.locator("#alert").inner_text()
    shot(page, "onboard-refused-375.png")
    fill_first_step(page, outbox, ("30", "9", "2001"), send=False)  # the code still works
    assert page.locator("h1").inner_text() == "Create your chat-banking ID and PIN"
    to_last_step(page)
    page.get_by_role("button", name="Skip and finish").click()
    assert page.locator("h1").inner_text() == "Your wallet is open"
    shot(page, "onboard-done-375.png")
    welcome = [m["body"] for m in outbox.messages(BOLA) if m["channel"] == "whatsapp"][-1]
    assert "Balance: USD 0.00" in welcome and "USD 500.00 per transfer" in welcome
    context.close()


def test_two_browsers_racing_the_last_step_pay_the_claim_once(
    browser: Browser,
    live_server: str,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    services: Services,
) -> None:
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, BOLA, "25")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + link_in(whatsapp.send(BOLA, "open wallet").text))
    fill_first_step(page, outbox, ("30", "9", "2001"))
    to_last_step(page)
    # A second browser with the same cookies (a copied session) on the same last step.
    twin = browser.new_context(viewport=PHONE, storage_state=context.storage_state())
    other = twin.new_page()
    other.goto(page.url)
    with page.expect_navigation(), other.expect_navigation():
        page.evaluate("document.querySelector('#skip').click()")
        other.evaluate("document.querySelector('#skip').click()")
    headings = sorted(p.locator("h1").inner_text() for p in (page, other))
    assert headings.count("Your wallet is open") == 1, headings
    wallet = services.bank.wallet_of(BOLA)
    assert wallet is not None and wallet.balance == Decimal("25.00")
    assert services.bank.ledger_problems() == []
    twin.close()
    context.close()
