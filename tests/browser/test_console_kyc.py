"""The KYC levels page in Chromium: an admin reaches it from the menu and changes level 2's
daily limit (a mistyped value shown beside its field, nothing saved; then saved and shown, in
force for the bank), and a viewer reads the levels with no form or button while a post made
with their own session and CSRF token is refused. On a customer's page, an operator changes
their level (no reason: refused beside the field; then in force)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from admin.staff.roles import Role
from app import Services
from tests.browser.console import signed_in_page
from tests.browser.shots import shoot
from tests.fakes import FrozenClock

pytestmark = pytest.mark.browser


def test_an_admin_changes_a_levels_daily_limit(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    signed_in_page(page, live_server, services, clock, Role.ADMIN, "ada.admin")
    page.click("nav.menu >> text=KYC levels")
    expect(page.locator("h1")).to_have_text("KYC levels")
    expect(page.locator("#level-2-row")).to_contain_text("USD 5,000.00")
    shoot(page, "kyc")
    page.fill("#level-2-daily", "6.000,00")
    page.click("#level-2 button[type=submit]")
    expect(page.locator("#level-2-daily-errors")).to_contain_text("more than 0, at most 2 decimals")
    expect(page.locator("#level-2-reason-errors")).to_contain_text("required")
    expect(page.locator("#level-2-daily")).to_have_value("6.000,00")  # as typed
    expect(page.locator("#level-2-daily")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#level-2-row")).to_contain_text("USD 5,000.00")
    assert services.bank.kyc_levels()[1].daily == Decimal("5000.00")  # nothing saved
    shoot(page, "kyc-refused", height=1240, top=True)
    page.fill("#level-2-daily", "6,000")
    page.fill("#level-2-reason", "Annual limits review, ticket KYC-118")
    page.click("#level-2 button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("KYC level 2 saved")
    expect(page.locator("#level-2-row")).to_contain_text("USD 6,000.00")
    expect(page.locator("#level-2-daily")).to_have_value("6000.00")
    assert services.bank.kyc_levels()[1].daily == Decimal("6000.00")


def test_a_viewer_reads_the_levels_and_cannot_change_them(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in_page(page, live_server, services, clock, Role.VIEWER)
    page.goto(f"{live_server}/admin/kyc")
    expect(page.locator("#level-2-row")).to_contain_text("USD 5,000.00")
    expect(page.locator("#cooling-now")).to_contain_text("24 hours")
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main button")).to_have_count(0)
    expect(page.locator("main input")).to_have_count(0)
    shoot(page, "kyc-viewer-375")
    token = page.locator("input[name=csrf_token]").first.input_value()  # the sign-out form's
    answer = page.request.post(
        f"{live_server}/admin/kyc/levels/2",
        form={
            "csrf_token": token,
            "per_transaction": "2000.00",
            "daily": "9000.00",
            "monthly": "30000.00",
            "reason": "trying",
        },
    )
    assert answer.status == 403
    assert "Your role can't do this" in answer.text()
    assert services.bank.kyc_levels()[1].daily == Decimal("5000.00")


def test_an_operator_changes_a_customers_level_on_their_page(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    signed_in_page(page, live_server, services, clock, Role.OPERATOR, "olu.operator")
    page.goto(f"{live_server}/admin/customers/C001")
    expect(page.locator("#kyc-level-now")).to_have_text("2")
    page.select_option("#kyc-change-level", "3")
    page.click("#kyc-level-form button[type=submit]")
    expect(page.locator("#kyc-change-reason-errors")).to_contain_text("required")
    expect(page.locator("#kyc-change-level")).to_have_value("3")  # the choice kept
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 2
    page.fill("#kyc-change-reason", "ID and address verified at Ikeja branch, case 4471")
    page.click("#kyc-level-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("Amina Yusuf is now at KYC level 3")
    expect(page.locator("#kyc-level-now")).to_have_text("3")
    shoot(page, "customer-kyc", focus="#kyc")
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 3
