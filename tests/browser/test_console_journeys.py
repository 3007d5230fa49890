"""Two journeys across the console and the chat, each driven in Chromium through the console's
own pages and then through the real webhook of the same app:

- a business customer stepped up by a Business Banking scenario: an admin creates it in the
  *Create Scenario* form; then Oluwaseun (C006, business) is let through under its threshold
  and asked for a code by email above it, while Amina (C001, retail) is asked what Retail
  Banking says, as before;
- a four-eyes change in force in the chat: with four eyes on, admin Ada edits the interbank
  scenario in the form and is told it was sent for approval; on the approvals page her own
  change can't be approved (the button is disabled, a post is refused); admin Bea, in a
  browser of her own, sees the diff and the impact replayed from Amina's transfers and
  approves; then the chat follows the new rule.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from admin.staff.roles import Role
from app import Services
from auth.scenarios.model import Application, Frequency, Status
from bot.messenger import OutboxMessenger
from tests.approvals import four_eyes_on
from tests.browser.console import sign_in
from tests.browser.shots import shoot
from tests.conftest import AMINA
from tests.console import make_staff
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

pytestmark = pytest.mark.browser
SEUN, SEUN_EMAIL, SEUN_ID = "+2348030000006", "seun@example.com", "seun.a"
AMINA_EMAIL = "amina@example.com"
INTERBANK = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"  # Seun → Bola (First Bank), Amina → Chidi
RETAIL_INTERBANK = "oob07"  # Retail Banking's interbank scenario: always, a code by SMS
SMS_ASKED = "For your security, we sent a code by SMS to +234•••••00"
EMAIL_ASKED = "For your security, we sent a code by email to "
# The code in the scenario form's default email template ("Your Demo Bank code to send ... is
# 482913.").
EMAILED_CODE = re.compile(r" is (\d{6})\.")


def pay(whatsapp: WhatsApp, msisdn: str, request: str) -> str:
    """One transfer to its summary and ``yes``: what the chat says next."""
    assert whatsapp.send(msisdn, request).text.startswith("Send *USD ")
    return whatsapp.send(msisdn, "yes").text


def emailed_code(outbox: OutboxMessenger, to: str, amount: str) -> str:
    """The code in the newest email to ``to``, which must name ``amount``."""
    body = str(outbox.messages(to)[-1]["body"])
    found = EMAILED_CODE.search(body)
    assert found is not None and amount in body, body
    return found.group(1)


def log_in_amina(whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock) -> None:
    """Amina registered a day ago (past the cooling-off cap) and logged in again now."""
    register_amina(whatsapp, secure)
    clock.advance(hours=25)
    assert secure.login(link_in(whatsapp.send(AMINA, "balance").text)).status == 200


def log_in_both(whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock) -> None:
    """Amina and Oluwaseun registered a day ago, both logged in again now."""
    register_amina(whatsapp, secure)
    reply = whatsapp.send(SEUN, "balance")
    done = secure.register(
        link_in(reply.text), SEUN, login_id=SEUN_ID, dob="1983-03-17", nin4="8906"
    )
    assert done.status == 200
    clock.advance(hours=25)
    assert secure.login(link_in(whatsapp.send(AMINA, "balance").text)).status == 200
    login = secure.login(link_in(whatsapp.send(SEUN, "balance").text), login_id=SEUN_ID)
    assert login.status == 200


def test_a_business_customer_stepped_up_by_a_business_banking_scenario(
    page: Page,
    live_server: str,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    seun, amina = services.bank.customer("C006"), services.bank.customer("C001")
    assert seun is not None and seun.segment == "business"
    assert amina is not None and amina.segment == "retail"
    log_in_both(whatsapp, secure, clock)
    # Before: no Business Banking scenario for interbank transfers, so the default challenge.
    assert pay(whatsapp, SEUN, "send 100 to Bola").startswith(SMS_ASKED)
    whatsapp.send(SEUN, "cancel")

    sign_in(page, live_server, make_staff(services, "ada", Role.ADMIN), clock)
    page.click("nav.menu >> text=MFA Scenarios")
    page.get_by_role("link", name="Create Scenario").click()
    expect(page.locator("h1")).to_have_text("Create Scenario")
    page.select_option("#application", "Business Banking")
    page.select_option("#action", INTERBANK)  # fills in its scenario type: monetary
    expect(page.locator("#scenario_type")).to_have_value("monetary")
    page.select_option("#frequency", "value_based")
    page.fill("#value_above", "500.00")
    page.fill("#description", "Business interbank transfers")
    page.select_option("#primary_challenge", "email_code")
    page.select_option("#backup_challenge", "sms_code")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator(".notice")).to_contain_text("Created: Business interbank transfers.")
    expect(page.locator("h1")).to_have_text("Business interbank transfers")
    [created] = [
        s
        for s in services.scenarios.store.all()
        if s.spec.application is Application.BUSINESS_BANKING
    ]
    assert (created.spec.action, created.spec.status) == (INTERBANK, Status.ACTIVE)
    assert created.spec.value_above == Decimal("500.00") and created.created_by == "ada"

    # Up to the threshold: no code for the business customer; above it, a code by email.
    assert pay(whatsapp, SEUN, "send 100 to Bola").startswith("Done: USD 100.00 sent to Bola Ade")
    assert pay(whatsapp, SEUN, "send 600 to Bola").startswith(EMAIL_ASKED)
    code = emailed_code(outbox, SEUN_EMAIL, "USD 600.00")
    assert whatsapp.send(SEUN, code).text.startswith("Done: USD 600.00 sent to Bola Ade")

    # The retail customer's same kind of transfer is not changed by it: a code by SMS.
    assert pay(whatsapp, AMINA, "send 100 to Chidi").startswith(SMS_ASKED)
    assert outbox.messages(AMINA_EMAIL) == []
    whatsapp.send(AMINA, "cancel")
    starts = services.scenarios.audit.entries(event="stepup.start")
    by_customer = {entry.fields["customer"]: entry.fields for entry in reversed(starts)}
    assert by_customer["C006"]["scenario"] == created.scenario_id
    assert by_customer["C001"]["scenario"] == RETAIL_INTERBANK


def test_a_four_eyes_change_made_in_the_form_is_in_force_in_the_chat(
    page: Page,
    browser: Browser,
    live_server: str,
    services: Services,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
) -> None:
    four_eyes_on(services)
    log_in_amina(whatsapp, secure, clock)
    # The history the impact replays: two interbank transfers, both challenged today.
    for amount in ("120", "300"):
        assert pay(whatsapp, AMINA, f"send {amount} to Chidi").startswith(SMS_ASKED)
        whatsapp.send(AMINA, "cancel")
    ada = make_staff(services, "ada", Role.ADMIN)
    bea = make_staff(services, "bea", Role.ADMIN)

    # Ada edits the scenario in the form: held for approval, nothing in force yet.
    sign_in(page, live_server, ada, clock)
    page.goto(f"{live_server}/admin/scenarios/{RETAIL_INTERBANK}/edit")
    page.select_option("#frequency", "value_based")
    page.fill("#value_above", "250.00")
    page.select_option("#primary_challenge", "email_code")
    page.select_option("#backup_challenge", "sms_code")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator(".notice")).to_contain_text("Sent for approval")
    scenario = services.scenarios.get(RETAIL_INTERBANK)
    assert scenario.spec.frequency is Frequency.ALWAYS and scenario.version == 1
    [pending] = services.changes.pending()
    assert (pending.kind, pending.author) == ("scenario.update", "ada")

    # Her own change: the button is disabled with the reason, and a post is refused.
    page.get_by_role("link", name="Approvals 1").click()
    change = page.locator(f"section[aria-labelledby='change-{pending.change_id}']")
    expect(change).to_contain_text("Proposed by")
    expect(change).to_contain_text("ada (you)")
    expect(change.get_by_role("button", name="Approve")).to_be_disabled()
    expect(change).to_contain_text("You proposed this change; another admin must approve it.")
    shoot(page, "four-eyes-pending", height=1000)
    csrf = page.locator("input[name=csrf_token]").first.input_value()
    refused = page.request.post(
        f"{live_server}/admin/approvals/{pending.change_id}/approve", form={"csrf_token": csrf}
    )
    assert refused.status == 403 and "another admin must approve it" in refused.text()
    assert services.scenarios.get(RETAIL_INTERBANK).version == 1
    assert services.changes.get(pending.change_id).pending

    # Bea, in her own browser: the diff and the impact, then approve.
    other = browser.new_context()
    try:
        second = other.new_page()
        sign_in(second, live_server, bea, clock)
        second.get_by_role("link", name="Approvals 1").click()
        change = second.locator(f"section[aria-labelledby='change-{pending.change_id}']")
        expect(change).to_contain_text("Edit scenario: Interbank Transfer (oob07)")
        diff = change.locator("table.diff")
        expect(diff.locator("tr", has_text="frequency")).to_contain_text("value_based")
        expect(diff.locator("tr", has_text="value_above")).to_contain_text("250.00")
        expect(diff.locator("tr", has_text="primary_challenge")).to_contain_text("email_code")
        expect(diff.locator("tr", has_text="email_template")).to_contain_text("unchanged")
        row = change.locator("table.impact tbody tr", has_text=INTERBANK)
        expect(row.locator("td.num")).to_have_text(["2", "2", "1", "-1"])  # 120 goes free
        shoot(second, "four-eyes-impact", height=1400)
        change.get_by_role("button", name="Approve").click()
        expect(second.locator(".notice")).to_contain_text("Approved: the change is in force now.")
        expect(second.locator("dl.facts")).to_contain_text("approved and applied")
    finally:
        other.close()
    scenario = services.scenarios.get(RETAIL_INTERBANK)
    assert scenario.version == 2 and scenario.updated_by == "ada, approved by bea"

    # In force in the chat: under the threshold no code, above it a code by email.
    assert pay(whatsapp, AMINA, "send 150 to Chidi").startswith("Done: USD 150.00 sent to Chidi")
    assert pay(whatsapp, AMINA, "send 300 to Chidi").startswith(EMAIL_ASKED)
    code = emailed_code(outbox, AMINA_EMAIL, "USD 300.00")
    assert whatsapp.send(AMINA, code).text.startswith("Done: USD 300.00 sent to Chidi")
