"""Personal API tokens and staff management in Chromium: a staff member creates a token (shown
once), calls the API with it against the live server, revokes it (then 401); an admin creates a
staff user and gets a set-up link that opens the set-up page; a viewer can't reach staff
management by the menu, the URL or a POST (with a valid CSRF token: the role refuses it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from admin.staff.roles import Role
from app import Services
from tests.browser.console import signed_in_page
from tests.browser.shots import shoot
from tests.fakes import FrozenClock

pytestmark = pytest.mark.browser


def test_create_use_and_revoke_a_token(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    staff = signed_in_page(page, live_server, services, clock, Role.ADMIN, "grace")
    page.click("nav >> text=API tokens")
    expect(page.locator("h1")).to_have_text("Your API tokens")
    page.click("text=Create token")  # no name: the browser keeps the form (required)
    assert services.tokens.of(staff.username) == []

    page.fill("#name", "nightly export")
    page.click("text=Create token")

    expect(page.locator("h1")).to_contain_text("nightly export")
    expect(page.locator(".pending")).to_contain_text("won't be shown again")
    shoot(page, "token-created")
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("tlr_")
    api = f"{live_server}/admin/api/v1"
    auth = {"Authorization": f"Bearer {secret}"}
    answer = page.request.get(f"{api}/scenarios", headers=auth)
    assert answer.status == 200 and answer.json()["count"] == 21

    page.click("text=Done: back to your tokens")
    row = page.locator("tr", has_text="nightly export")
    expect(row).to_contain_text("active")
    expect(page.locator("main")).not_to_contain_text(secret)  # shown once only
    shoot(page, "tokens")
    row.get_by_role("button", name="Revoke nightly export").click()

    expect(page.locator(".notice")).to_contain_text("revoked")
    expect(page.locator("tr", has_text="nightly export")).to_contain_text("revoked")
    refused = page.request.get(f"{api}/scenarios", headers=auth)
    assert refused.status == 401 and "revoked" in refused.json()["error"]


def test_a_viewers_token_reads_but_cant_change(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    signed_in_page(page, live_server, services, clock, Role.VIEWER, "vera")
    page.goto(f"{live_server}/admin/tokens")
    page.fill("#name", "  ")
    page.click("text=Create token")
    expect(page.locator("#name-errors")).to_contain_text("1-60 characters")  # beside the field
    page.fill("#name", "read only")
    page.click("text=Create token")
    secret = page.locator("#new-token").input_value()
    auth = {"Authorization": f"Bearer {secret}"}
    api = f"{live_server}/admin/api/v1"

    assert page.request.get(f"{api}/scenarios/oob07", headers=auth).status == 200
    etag = page.request.get(f"{api}/scenarios/oob07", headers=auth).headers["etag"]
    change = page.request.patch(
        f"{api}/scenarios/oob07",
        headers={**auth, "If-Match": etag},
        data={"description": "changed"},
    )
    assert change.status == 403 and "viewer" in change.json()["error"]


def test_an_admin_creates_a_staff_user_and_gets_a_setup_link(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    signed_in_page(page, live_server, services, clock, Role.ADMIN, "grace")
    page.click("nav >> text=Staff")
    expect(page.locator("h1")).to_have_text("Staff")
    page.fill("#username", "x")
    page.select_option("#role", "operator")
    page.click("text=Create user")
    expect(page.locator("#username-errors")).to_contain_text("3-32 lower-case")
    assert services.staff.get("x") is None

    page.fill("#username", "olu.ops")
    page.select_option("#role", "operator")
    page.click("text=Create user")

    expect(page.locator("h1")).to_contain_text("olu.ops created (operator)")
    expect(page.locator(".pending")).to_contain_text("won't be shown again")
    shoot(page, "staff-created")
    link = page.locator("#setup-link").input_value()
    assert link.startswith(f"{services.config.public_base_url}/admin/setup/")
    page.click("text=Back to staff")
    expect(page.locator("#user-olu\\.ops")).to_contain_text("setup")
    shoot(page, "staff")
    page.click("#user-olu\\.ops a")
    expect(page.locator("h1")).to_contain_text("olu.ops")
    shoot(page, "staff-user")
    page.select_option("#role", "auditor")
    page.click("text=Change role")
    expect(page.locator(".notice")).to_contain_text("now auditor")
    assert services.staff.get("olu.ops").role is Role.AUDITOR

    # The link opens the set-up page (in a browser with no console session).
    other = page.context.browser.new_context().new_page()
    other.goto(link.replace(services.config.public_base_url, live_server))
    expect(other.locator("h1")).to_contain_text("Set up your account: olu.ops")
    other.context.close()


def test_a_viewer_cant_reach_staff_management(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    signed_in_page(page, live_server, services, clock, Role.VIEWER, "vera")

    expect(page.locator("nav.menu")).not_to_contain_text("Staff")
    page.goto(f"{live_server}/admin/staff")
    expect(page.locator("h1")).to_have_text("Your role can't do this")
    page.goto(f"{live_server}/admin/staff/vera")
    expect(page.locator("h1")).to_have_text("Your role can't do this")
    page.goto(f"{live_server}/admin/tokens")  # a page the viewer may use, for a real CSRF token
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path, form in [
        ("/admin/staff", {"username": "sneaky", "role": "admin"}),
        ("/admin/staff/vera/role", {"role": "admin"}),
    ]:
        answer = page.request.post(f"{live_server}{path}", form={**form, "csrf_token": csrf or ""})
        assert answer.status == 403, path
    assert services.staff.get("sneaky") is None
    assert services.staff.get("vera").role is Role.VIEWER
