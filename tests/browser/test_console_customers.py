"""The Customers screens in Chromium: an operator finds a customer by number, chat-banking ID and
name, opens the page (audited), blocks with a reason (the chat then answers as blocked),
unblocks, lifts a lockout, ends the session and resets the registration behind its
confirmation; a viewer can't reach any of it — not by the menu, the address or a post."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from admin.staff.roles import Role
from app import Services
from auth.ports import Status
from auth.stores.credentials import AccountStatus
from auth.stores.lockout import Kind
from tests.browser.console import signed_in_page
from tests.browser.shots import shoot
from tests.conftest import AMINA
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

pytestmark = pytest.mark.browser
REASON = "customer called the helpdesk"


def status(services: Services) -> AccountStatus | None:
    creds = services.auth.credentials.get(AMINA)
    return creds.status if creds else None


def search(page: Page, base: str, query: str) -> None:
    page.goto(f"{base}/admin/customers")
    page.fill("#q", query)
    with page.expect_navigation():
        page.press("#q", "Enter")


def act(page: Page, form: str, reason: str = REASON) -> None:
    page.fill(f"#{form}-form textarea", reason)
    page.click(f"#{form}-form button[type=submit]")


def test_an_operator_looks_after_a_customer(
    page: Page,
    live_server: str,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    signed_in_page(page, live_server, services, clock, Role.OPERATOR, "olu.ops")
    page.click('nav.menu a[href="/admin/customers"]')
    expect(page.locator("h1")).to_have_text("Customers")

    search(page, live_server, "+234 803 000 0001")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("+234•••••0001")
    expect(page.locator("#results")).not_to_contain_text(AMINA)
    search(page, live_server, "AMINA.Y")
    expect(page.locator("#results")).to_contain_text("chat-banking ID")
    search(page, live_server, "yusuf")
    expect(page.locator("#results")).to_contain_text("Amina Yusuf")
    shoot(page, "customers-search")
    search(page, live_server, "12")
    expect(page.locator("#q-errors")).to_contain_text("last 4 digits")

    search(page, live_server, "yusuf")
    page.click("#results >> text=Amina Yusuf")
    expect(page.locator("h1")).to_have_text("Amina Yusuf")
    expect(page.locator("#chat-status")).to_have_text("registered")
    expect(page.locator("#session")).to_contain_text("active until")
    [view] = services.auth.audit.entries(count=20, event="customer.view")
    assert view.fields["actor"] == "olu.ops" and view.fields["customer"] == "C001"
    shoot(page, "customer")

    act(page, "block", "no")  # too short: said beside the field, nothing done
    expect(page.locator("#block_reason-errors")).to_contain_text("5 to 200 characters")
    assert status(services) is AccountStatus.REGISTERED
    act(page, "block", "reported fraud on ••6789")
    expect(page.locator(".notice")).to_contain_text("chat banking blocked")
    expect(page.locator("#chat-status")).to_have_text("blocked by the bank")
    expect(page.locator("#reg-status")).to_contain_text("reported fraud on ••6789")
    assert "has stopped chat banking on this number" in whatsapp.send(AMINA, "balance").text
    [block] = services.auth.audit.entries(count=20, event="customer.block")
    assert (
        block.fields["actor"] == "olu.ops" and block.fields["reason"] == "reported fraud on ••6789"
    )
    expect(page.locator("#reset-link")).to_have_count(0)  # a reset would lift the block

    act(page, "unblock")
    expect(page.locator(".notice")).to_contain_text("chat banking restored")
    expect(page.locator("#chat-status")).to_have_text("registered")
    assert status(services) is AccountStatus.REGISTERED

    for _ in range(5):
        services.auth.lockouts.failure(AMINA, Kind.PIN, services.clock())
    page.reload()
    expect(page.locator("#lockout-pin")).to_contain_text("of 5")
    expect(page.locator("#session")).to_contain_text("too many failed login attempts")
    act(page, "lift")
    expect(page.locator(".notice")).to_contain_text("lockouts lifted (pin)")
    assert services.auth.check(AMINA).status is Status.MISSING

    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    assert services.auth.check(AMINA).status is Status.VALID
    page.reload()
    expect(page.locator("#session")).to_contain_text("active until")
    act(page, "end")
    expect(page.locator(".notice")).to_contain_text("logged out everywhere")
    expect(page.locator("#session")).to_have_text("none")
    assert services.auth.check(AMINA).status is Status.MISSING

    page.click("#reset-link")
    expect(page.locator("h1")).to_contain_text("Reset the chat-banking registration")
    shoot(page, "customer-reset")
    page.fill("#reset_reason", "customer forgot the ID")
    page.click("#reset-form button[type=submit]")  # not confirmed yet
    expect(page.locator("#reset_confirm-errors")).to_contain_text("Tick the box")
    assert status(services) is AccountStatus.REGISTERED
    page.check("#reset_confirm")
    page.click("#reset-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("registration reset")
    expect(page.locator("#chat-status")).to_have_text("not registered")
    assert status(services) is None
    assert "/secure/register/" in whatsapp.send(AMINA, "balance").text
    events = {e.fields["event"] for e in services.auth.audit.entries(count=100, customer_id="C001")}
    assert {"customer.unblock", "customer.lift_lockout", "customer.end_sessions"} <= events
    assert "customer.reset_registration" in events


def test_a_viewer_cannot_reach_customers(
    page: Page,
    live_server: str,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    signed_in_page(page, live_server, services, clock, Role.VIEWER)
    expect(page.locator('nav.menu a[href="/admin/customers"]')).to_have_count(0)
    for path in ("/admin/customers", "/admin/customers/C001", "/admin/customers/C001/reset"):
        answer = page.goto(f"{live_server}{path}")
        assert answer is not None and answer.status == 403
        expect(page.locator("h1")).to_have_text("Your role can't do this")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    posted = page.request.post(
        f"{live_server}/admin/customers/C001/block",
        form={"csrf_token": token, "block_reason": REASON},
    )
    assert posted.status == 403 and re.search("can.t do this", posted.text())
    assert status(services) is AccountStatus.REGISTERED
    assert services.auth.audit.entries(count=50, event="customer.view") == []
