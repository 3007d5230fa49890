"""The MFA Scenarios pages in Chromium: create with each invalid field (the message beside the
field, nothing saved), a duplicate refused, filter and search kept in the URL, activate and
deactivate from the row menu (by keyboard too), delete with its confirmation (Cancel keeps
it), two staff editing one scenario (the second save gets the conflict, nothing overwritten),
the live template preview, the dry-run, and a viewer kept from every change (menu, direct
address, POST). Screenshots for the docs with CONSOLE_SCREENSHOTS=1 (``tests.browser.shots``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app import Services
from auth.scenarios.model import Status
from tests.browser import shots
from tests.browser.console import sign_in, signed_in_page
from tests.console import make_staff
from tests.fakes import FrozenClock

pytestmark = pytest.mark.browser
OWN_ACCOUNTS = "oob16"  # TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE, value based above 1000.00
LOGIN = "oob17"  # ships inactive
WIDTHS = (1280, 375)


def shoot(page: Page, name: str, focus: str, height: int | None = None) -> None:
    """console-scenarios-<name>-<width>.png at each width: at phone width the screen from
    ``focus`` down (the menu comes first)."""
    for width in WIDTHS:
        wide = width > 400
        shots.shoot(
            page,
            f"scenarios-{name}-{width}",
            width=width,
            height=height if wide else 900,
            focus="" if wide else focus,
        )


def admin_page(page: Page, live_server: str, services: Services, clock: FrozenClock) -> None:
    signed_in_page(page, live_server, services, clock, "admin", "ada")


def fill_valid(page: Page) -> None:
    page.select_option("#application", "Business Banking")
    page.select_option("#scenario_type", "monetary")
    page.select_option("#action", "BILL_PAY_CREATE")
    page.select_option("#frequency", "value_based")
    page.fill("#value_above", "250.00")
    page.fill("#description", "Business bill pay")


def stored(services: Services) -> list[tuple[str, str, int]]:
    return [(s.scenario_id, s.spec.description, s.version) for s in services.scenarios.store.all()]


INVALID = [
    ("#application", "select", "", "application", "required: choose one from the list"),
    ("#action", "select", "", "action", "required: choose one from the list"),
    ("#value_above", "fill", "0", "value_above", "must be more than 0"),
    ("#value_above", "fill", "12.345", "value_above", "at most 2 decimal places"),
    ("#value_above", "fill", "1000000000000", "value_above", "at most 999999999999"),
    ("#description", "fill", "", "description", "required"),
    ("#description", "fill", "Bill pay & more", "description", "letters, digits and spaces"),
    ("#backup_challenge", "select", "sms_code", "backup_challenge", "must differ"),
    ("#sms_template", "fill", "Code {otp}", "sms_template", "must include {transfer_amount}"),
    ("#email_template", "fill", "{code}", "email_template", "unknown variable {code}"),
]


def test_create_refuses_each_invalid_field_beside_it_then_creates(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    before = stored(services)
    page.goto(f"{live_server}/admin/scenarios")
    page.click("text=Create Scenario")
    for selector, how, value, field, message in INVALID:
        fill_valid(page)
        if how == "select":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page.locator(f"#{field}-errors")).to_contain_text(message)
        expect(page.locator(selector)).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#form-problems")).to_contain_text("Nothing was saved")
        assert stored(services) == before, field
        if how == "fill":  # what was typed is kept
            expect(page.locator(selector)).to_have_value(value)
        page.goto(f"{live_server}/admin/scenarios/new")
    fill_valid(page)
    page.fill("#value_above", "0")
    page.fill("#description", "")
    page.get_by_role("button", name="Create", exact=True).click()
    shoot(page, "form-errors", ".has-error", height=1100)
    fill_valid(page)
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator(".notice")).to_contain_text("Created: Business bill pay.")
    expect(page.locator("h1")).to_have_text("Business bill pay")
    assert len(stored(services)) == len(before) + 1


def test_the_form_shows_the_fields_the_choice_uses(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    page.goto(f"{live_server}/admin/scenarios/new")
    page.select_option("#action", "PASSWORD_UPDATE")
    expect(page.locator("#scenario_type")).to_have_value("non_monetary")
    expect(page.locator("#frequency")).to_be_hidden()
    expect(page.locator("#value_above")).to_be_hidden()
    expect(page.locator("#activity_type")).to_be_visible()
    page.select_option("#scenario_type", "monetary")
    page.select_option("#frequency", "always")
    expect(page.locator("#activity_type")).to_be_hidden()
    expect(page.locator("#value_above")).to_be_hidden()
    page.select_option("#frequency", "value_based")
    expect(page.locator("#value_above")).to_be_visible()


def test_cancel_saves_nothing_and_a_duplicate_is_refused(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    before = stored(services)
    page.goto(f"{live_server}/admin/scenarios/new")
    fill_valid(page)
    page.get_by_role("link", name="Cancel", exact=True).click()
    expect(page.locator("h1")).to_have_text("MFA Scenarios")
    assert stored(services) == before
    page.goto(f"{live_server}/admin/scenarios/new")
    fill_valid(page)
    page.select_option("#application", "Retail Banking")
    page.fill("#description", "Another bill pay")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#action-errors")).to_contain_text(
        "Retail Banking already has a scenario for BILL_PAY_CREATE"
    )
    page.fill("#description", "Retail Banking Bill Pay")
    page.select_option("#application", "Business Banking")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#description-errors")).to_contain_text("already has this description")
    assert stored(services) == before


def test_filter_and_search_kept_in_the_url(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    page.goto(f"{live_server}/admin/scenarios")
    expect(page.locator("tbody tr")).to_have_count(21)
    shoot(page, "list", "h1")
    page.select_option("#status", "inactive")
    page.click("text=Apply")
    expect(page).to_have_url(f"{live_server}/admin/scenarios?application=&status=inactive&q=")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("LOGIN")
    expect(page.locator("#status")).to_have_value("inactive")
    page.select_option("#status", "")
    page.fill("#q", "card management")
    page.press("#q", "Enter")
    expect(page.locator("tbody tr")).to_have_count(6)
    expect(page.locator("#count")).to_contain_text("6 of 21 scenarios match")
    page.fill("#q", "")
    page.select_option("#application", "Consumer Lending")
    page.click("text=Apply")
    expect(page.locator(".empty")).to_contain_text("No scenario matches application")
    page.click("text=show every scenario")
    expect(page.locator("tbody tr")).to_have_count(21)


def test_deactivate_and_activate_from_the_row_menu_by_keyboard(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    page.goto(f"{live_server}/admin/scenarios?status=active&q=own")
    row = page.locator(f"tr[data-scenario={OWN_ACCOUNTS}]")
    row.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Deactivate")).to_be_visible()
    row.get_by_role("button", name="Deactivate").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("Deactivated: Create Internal Transfer")
    expect(page).to_have_url(f"{live_server}/admin/scenarios?status=active&q=own")  # filters kept
    assert services.scenarios.get(OWN_ACCOUNTS).spec.status is Status.INACTIVE
    page.goto(f"{live_server}/admin/scenarios?status=inactive")
    row = page.locator(f"tr[data-scenario={OWN_ACCOUNTS}]")
    row.locator("summary").click()
    row.get_by_role("button", name="Activate").click()
    expect(page.locator(".notice")).to_contain_text("Activated: Create Internal Transfer")
    assert services.scenarios.get(OWN_ACCOUNTS).spec.status is Status.ACTIVE
    assert services.scenarios.get(OWN_ACCOUNTS).updated_by == "ada"


def test_delete_asks_first_and_cancel_keeps_it(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    page.goto(f"{live_server}/admin/scenarios")
    row = page.locator(f"tr[data-scenario={LOGIN}]")
    row.locator("summary").click()
    row.get_by_role("link", name="Delete").click()
    expect(page.locator("h1")).to_have_text("Delete this scenario?")
    expect(page.locator("dl.facts")).to_contain_text("LOGIN")
    page.get_by_role("link", name="Cancel", exact=True).click()
    expect(page.locator("h1")).to_have_text("MFA Scenarios")
    assert LOGIN in {s for s, _, _ in stored(services)}
    row.locator("summary").click()
    row.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete scenario").click()
    expect(page.locator(".notice")).to_contain_text("Deleted: Login (LOGIN).")
    expect(page.locator(f"tr[data-scenario={LOGIN}]")).to_have_count(0)
    assert LOGIN not in {s for s, _, _ in stored(services)}


def test_two_staff_editing_one_scenario(
    page: Page, browser: Browser, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    other = browser.new_context()
    second = other.new_page()
    try:
        sign_in(second, live_server, make_staff(services, "bob", "admin"), clock)
        for each in (page, second):
            each.goto(f"{live_server}/admin/scenarios/{OWN_ACCOUNTS}/edit")
        page.fill("#value_above", "2000.00")
        page.get_by_role("button", name="Update", exact=True).click()
        expect(page.locator(".notice")).to_contain_text("Saved")
        second.fill("#value_above", "50.00")
        second.fill("#description", "Own accounts transfer")
        second.get_by_role("button", name="Update", exact=True).click()
        conflict = second.locator("#conflict")
        expect(conflict).to_contain_text("someone changed this scenario while you were editing it")
        expect(conflict).to_contain_text("ada saved it")
        expect(conflict.locator("table")).to_contain_text("50.00")
        expect(second.locator("#value_above")).to_have_value("2000.00")  # what is stored now
        scenario = services.scenarios.get(OWN_ACCOUNTS)
        assert str(scenario.spec.value_above) == "2000.00" and scenario.version == 2
        assert scenario.spec.description == "Create Internal Transfer"
        second.fill("#description", "Own accounts transfer")  # redone on the current version
        second.get_by_role("button", name="Update", exact=True).click()
        expect(second.locator(".notice")).to_contain_text("Saved")
        scenario = services.scenarios.get(OWN_ACCOUNTS)
        assert scenario.spec.description == "Own accounts transfer" and scenario.version == 3
        assert str(scenario.spec.value_above) == "2000.00"
    finally:
        other.close()


def test_the_template_preview_updates_as_staff_type(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    page.goto(f"{live_server}/admin/scenarios/{OWN_ACCOUNTS}/edit")
    preview = page.locator("#sms_template-preview-text")
    expect(preview).to_contain_text("482913")
    page.fill(
        "#sms_template", "Hi {payee_name}: {otp} moves {transfer_amount} from {account_number}"
    )
    expect(preview).to_have_text("Hi Chidi Okeke: 482913 moves USD 150.00 from ••6789")
    page.fill("#sms_template", "Broken {pin}")
    expect(page.locator("#sms_template-preview-problems")).to_contain_text("unknown variable {pin}")
    expect(preview).to_have_text("")
    assert services.scenarios.get(OWN_ACCOUNTS).version == 1  # previews save nothing


def test_the_preview_button_without_script(
    browser: Browser, live_server: str, services: Services, clock: FrozenClock
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        admin_page(page, live_server, services, clock)
        page.goto(f"{live_server}/admin/scenarios/{OWN_ACCOUNTS}/edit")
        page.fill("#email_template", "Code {otp} for {transfer_amount} to {payee_name}")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("#email_template-preview-text")).to_have_text(
            "Code 482913 for USD 150.00 to Chidi Okeke"
        )
        expect(page.locator("#email_template")).to_have_value(
            "Code {otp} for {transfer_amount} to {payee_name}"
        )
        assert services.scenarios.get(OWN_ACCOUNTS).version == 1
    finally:
        context.close()


def test_the_dry_run_answers(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    admin_page(page, live_server, services, clock)
    page.goto(f"{live_server}/admin/scenarios")
    page.click("text=Which challenge would fire?")
    page.select_option("#application", "Retail Banking")
    page.select_option("#action", "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE")
    page.fill("#amount", "1500.00")
    page.uncheck("input[name=enrolled][value=sms_code]")
    page.get_by_role("button", name="Ask").click()
    decision = page.locator("#decision")
    expect(decision).to_contain_text("Challenge required: Secure access code by email")
    expect(decision).to_contain_text("1500.00 is more than 1000.00")
    shoot(page, "dry-run", "#amount")
    page.fill("#amount", "20")
    page.get_by_role("button", name="Ask").click()
    expect(decision.locator("h2")).to_have_text("No challenge")
    decision.get_by_role("link", name="Create Internal Transfer").click()
    expect(page).to_have_url(f"{live_server}/admin/scenarios/{OWN_ACCOUNTS}")


def test_a_viewer_reaches_no_change(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    signed_in_page(page, live_server, services, clock, "viewer", "vic")
    page.goto(f"{live_server}/admin/scenarios")
    expect(page.get_by_role("link", name="Create Scenario")).to_have_count(0)
    row = page.locator(f"tr[data-scenario={OWN_ACCOUNTS}]")
    row.locator("summary").click()
    expect(row.locator(".menu-items")).to_have_text("View")
    page.goto(f"{live_server}/admin/mfa-config")
    expect(page.locator("input[name=code_length]")).to_have_count(0)
    for path in ("new", f"{OWN_ACCOUNTS}/edit", f"{OWN_ACCOUNTS}/delete"):
        response = page.goto(f"{live_server}/admin/scenarios/{path}")
        assert response is not None and response.status == 403, path
        expect(page.locator("h1")).to_have_text("Your role can't do this")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    posted = page.request.post(
        f"{live_server}/admin/scenarios/{OWN_ACCOUNTS}/deactivate",
        form={"csrf_token": token, "version": "1"},
    )
    assert posted.status == 403
    assert services.scenarios.get(OWN_ACCOUNTS).spec.status is Status.ACTIVE
