"""The chat simulator draws button and list replies as WhatsApp does and taps them the way
Twilio posts taps (real Chromium, the real webhook, the dev outbox with its local templates)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from app import Config, Services, build_services
from tests.browser.shots import shoot
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def services(config: Config, clock: FrozenClock) -> Iterator[Services]:
    built = build_services(replace(config, outbox_content=True), clock=clock)
    yield built
    built.close()


def say(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def test_a_list_opens_and_a_tap_answers(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    say(page, "hi")
    menu = page.locator("#chat li.in").last
    expect(menu).to_contain_text("Reply with a number:")  # the text fallback stays
    opens = menu.locator("button.opens")
    expect(opens).to_have_text("☰ Choose")
    expect(menu.locator(".items")).to_be_hidden()
    opens.click()
    expect(menu.locator(".items button.tap")).to_have_count(10)
    expect(menu.locator(".items button.tap").nth(9)).to_contain_text("Contact us")
    expect(menu.locator(".items button.tap").nth(9)).to_contain_text("Or type 10")
    menu.locator(".items button.tap", has_text="Contact us").click()
    expect(page.locator("#chat li.out").last).to_have_text("Contact us")
    contact = page.locator("#chat li.in").last
    expect(contact).to_contain_text("How can we help?")
    contact.locator("button.opens").click()
    contact.locator(".items button.tap").first.click()  # "Call us", by its id 1
    expect(page.locator("#chat li.in", has_text="Call Demo Bank on")).to_have_count(1)


def test_yes_and_no_are_buttons_at_a_narrow_width(
    page: Page, live_server: str, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    register_amina(whatsapp, secure)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    say(page, "transfer")
    payees = page.locator("#chat li.in").last
    expect(payees).to_contain_text("Who do you want to pay?")
    payees.locator("button.opens").click()
    payees.locator(".items button.tap", has_text="Chidi Okeke").click()
    expect(page.locator("#chat li.in").last).to_contain_text("How much (USD)")
    say(page, "150")
    summary = page.locator("#chat li.in").last
    expect(summary).to_contain_text("Reply YES to confirm or NO to cancel.")
    buttons = summary.locator(".choices button.tap")
    expect(buttons).to_have_text(["Yes", "No"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="var/simulator-buttons.png")
    shoot(page, "simulator-buttons")  # docs/whatsapp.md shows it
    buttons.first.click()
    expect(page.locator("#chat li.out").last).to_have_text("Yes")
    expect(page.locator("#chat li.in", has_text="we sent a code by SMS")).to_have_count(1)
