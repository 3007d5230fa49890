"""Signing a Playwright page in to the staff console as a staff member (the real sign-in page:
username, password and a fresh authenticator code)."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page

from admin.staff.roles import Role
from app import Services
from tests.console import Staff, make_staff
from tests.fakes import FrozenClock


def sign_in(page: Page, base_url: str, staff: Staff, clock: FrozenClock) -> None:
    page.goto(f"{base_url}/admin/login")
    page.fill("#username", staff.username)
    page.fill("#password", staff.password)
    clock.advance(seconds=30)  # a code is accepted once: each sign-in uses the next step's
    page.fill("#code", pyotp.TOTP(staff.secret).at(clock()))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin**")
    assert "/admin/login" not in page.url, page.content()


def signed_in_page(
    page: Page,
    base_url: str,
    services: Services,
    clock: FrozenClock,
    role: Role | str,
    username: str = "",
) -> Staff:
    """Make a staff member of ``role`` and sign ``page`` in as them."""
    staff = make_staff(services, username or f"{Role(role).value}.one", role)
    sign_in(page, base_url, staff, clock)
    return staff
