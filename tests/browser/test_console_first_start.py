"""The console's first start in Chromium: the set-up link an admin was given, a password (a weak
one refused beside its field), the authenticator (the key read off the page), then signed in;
signing out and back in with a fresh code; a CSRF-less post refused."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from admin.staff.roles import Role
from app import Services
from tests.browser.console import sign_in
from tests.browser.shots import shoot
from tests.console import PASSWORD, Staff
from tests.fakes import FrozenClock

pytestmark = pytest.mark.browser


def test_first_start_with_the_setup_link(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    token = services.staff.create("ada.admin", Role.ADMIN, by="cli")
    page.goto(f"{live_server}/admin/setup/{token}")
    page.fill("#password", "Password2024!")
    page.fill("#again", "Password2024!")
    page.click("button[type=submit]")
    expect(page.locator("#password-errors")).to_contain_text("too common")
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("authenticator")
    shoot(page, "setup-authenticator")
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.fill("#code", "000000")
    page.click("button[type=submit]")
    expect(page.locator("#code-errors")).to_contain_text("doesn't match")
    page.fill("#code", pyotp.TOTP(secret).at(clock()))
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome, ada.admin")
    shoot(page, "home")
    page.click("text=Sign out")
    expect(page.locator("h1")).to_contain_text("Sign in")
    shoot(page, "sign-in")
    sign_in(page, live_server, Staff("ada.admin", Role.ADMIN, secret), clock)
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_wrong_sign_in_and_phone_width(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server}/admin/login")
    page.fill("#username", "nobody")
    page.fill("#password", "not the password at all")
    page.fill("#code", "123456")
    page.click("button[type=submit]")
    expect(page.locator("#alert")).to_contain_text("don't match")
    shoot(page, "sign-in-refused-375")
    page.goto(f"{live_server}/admin")
    expect(page.locator("h1")).to_contain_text("Sign in")  # sent to sign in first
    answer = page.request.post(f"{live_server}/admin/logout")
    assert answer.status == 400  # no CSRF token
