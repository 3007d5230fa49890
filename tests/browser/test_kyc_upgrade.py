"""Upgrading a KYC level in Chromium, end to end: the customer's upload page (a file that isn't
what its name says refused beside its field; then both documents accepted), the operator's
queue and review page (the photo shown, the PDF offered for download), approve → the customer
told in the chat → the next transfer uses the new limit; a rejected one tells the customer why.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Browser, Page, expect

from admin.staff.roles import Role
from app import Services
from bot.messenger import OutboxMessenger
from tests import kyc_files
from tests.browser.console import signed_in_page
from tests.browser.shots import destination
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

pytestmark = pytest.mark.browser


def shoot(page: Page, name: str) -> None:
    """Screenshots for docs/kyc-upgrade.md, only when asked (CONSOLE_SCREENSHOTS=1)."""
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=str(destination(f"kyc-{name}.png")))


def file(name: str, mime: str, data: bytes) -> dict[str, object]:
    return {"name": name, "mimeType": mime, "buffer": data}


def upload(customer: Page, live_server: str, whatsapp: WhatsApp, secure: SecurePages) -> None:
    """Amina asks in the chat and uploads on the page; the first try's "photo" is text."""
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "profile")
    customer.goto(live_server + link_in(whatsapp.send(AMINA, "7").text))
    expect(customer.locator("h1")).to_have_text("Upgrade to KYC level 3")
    customer.set_input_files("#identity", file("passport.png", "image/png", kyc_files.TEXT_AS_PNG))
    customer.set_input_files("#address", file("bill.pdf", "application/pdf", kyc_files.pdf()))
    customer.click("#upload")
    expect(customer.locator("#identity-problem")).to_contain_text("isn't a JPEG, PNG or PDF")
    expect(customer.locator("#address-problem")).to_have_count(0)
    shoot(customer, "upload-refused")
    customer.set_input_files("#identity", file("id.jpg", "image/jpeg", kyc_files.photo((480, 300))))
    customer.set_input_files("#address", file("bill.pdf", "application/pdf", kyc_files.pdf()))
    customer.click("#upload")
    expect(customer.locator("h1")).to_have_text("We have your documents")


def open_review(staff: Page, live_server: str, services: Services, clock: FrozenClock) -> None:
    signed_in_page(staff, live_server, services, clock, Role.OPERATOR, "olu.operator")
    staff.click("nav.menu >> text=KYC reviews")
    expect(staff.locator("#reviews")).to_contain_text("Amina Yusuf")
    expect(staff.locator("#reviews")).to_contain_text("+234•••••0001")
    staff.click("#reviews a")
    expect(staff.locator("h1")).to_contain_text("KYC level 2 → 3")
    expect(staff.locator("#liveness")).to_contain_text("Manual review")
    # The photo is served to staff and shown (CSP allows 'self' images); it loads after the page.
    staff.wait_for_function(
        "() => { const img = document.querySelector('#identity-image');"
        " return img !== null && img.complete && img.naturalWidth > 0; }"
    )
    width = staff.locator("#identity-image").evaluate("img => img.naturalWidth")
    assert width == 480
    expect(staff.locator("#address-download")).to_be_visible()


def chat(outbox: OutboxMessenger) -> list[str]:
    return [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"]


def test_upload_review_approve_and_the_next_transfer_uses_the_new_limit(
    browser: Browser,
    live_server: str,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    customer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    upload(customer, live_server, whatsapp, secure)
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_review(staff, live_server, services, clock)
    shoot(staff, "review")
    staff.click("#approve")  # no reason: refused beside the field, nothing changed
    expect(staff.locator("#reason-errors")).to_contain_text("required")
    assert services.bank.customer("C001").kyc_level == 2
    staff.fill("#reason", "Passport and utility bill match the bank's records")
    staff.click("#approve")
    expect(staff.locator(".notice")).to_contain_text("Approved")
    expect(staff.locator("#state")).to_contain_text("approved by olu.operator")
    assert services.bank.customer("C001").kyc_level == 3
    told = chat(outbox)[-1]
    assert "you're now at KYC level 3" in told and "USD 25,000.00 a day" in told
    clock.advance(hours=25)  # past the cooling-off after registering
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    for text in ("transfer", "5"):
        whatsapp.send(AMINA, text)
    assert whatsapp.send(AMINA, "2400").text.startswith("Send *USD 2,400.00* to Chidi Okeke")


def test_a_rejected_upgrade_tells_the_customer_why(
    browser: Browser,
    live_server: str,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    customer = browser.new_context().new_page()
    upload(customer, live_server, whatsapp, secure)
    staff = browser.new_context().new_page()
    open_review(staff, live_server, services, clock)
    staff.fill("#reason", "the proof of address is older than 3 months")
    staff.click("#reject")
    expect(staff.locator(".notice")).to_contain_text("Rejected")
    expect(staff.locator("#state")).to_contain_text("rejected by olu.operator")
    assert services.bank.customer("C001").kyc_level == 2
    told = chat(outbox)[-1]
    assert "couldn't approve your KYC upgrade: the proof of address is older than 3 months" in told
    assert "choose *Upgrade KYC level*" in told
