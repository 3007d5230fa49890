"""Four eyes in Chromium, end to end: Amina's transfers of the last days are the history; admin
Alice proposes a threshold for interbank transfers (through the admin API, as herself); in the
console she sees it pending, with the count in the menu, and can't approve it (the reason is
shown); admin Bob sees the diff and the impact replayed from those transfers and approves it;
then it is in force — the dry-run says so, and in the chat a transfer below the new threshold
goes through without a code while one above it is still challenged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from admin.staff.roles import Role
from app import Config, Services
from auth.scenarios.model import Application
from tests.browser.console import sign_in
from tests.browser.shots import shoot
from tests.conftest import AMINA
from tests.console import make_staff
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

pytestmark = pytest.mark.browser
INTERBANK = "oob07"
TRANSFER = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"  # Amina → Chidi (Access Bank)
SMS_ASKED = "For your security, we sent a code by SMS to +234•••••00"


def pay(whatsapp: WhatsApp, amount: str) -> str:
    """A transfer to Chidi up to its summary and ``yes``: what the chat says next."""
    assert whatsapp.send(AMINA, f"send {amount} to Chidi").text.startswith("Send *USD ")
    return whatsapp.send(AMINA, "yes").text


def test_a_pending_change_approved_by_a_second_admin_is_in_force(
    page: Page,
    live_server: str,
    services: Services,
    config: Config,
    clock: FrozenClock,
    whatsapp: WhatsApp,
    secure: SecurePages,
) -> None:
    services.changes.four_eyes = True
    register_amina(whatsapp, secure)
    clock.advance(hours=25)  # past the cooling-off after registering
    assert secure.login(link_in(whatsapp.send(AMINA, "balance").text)).status == 200
    # The history: two transfers, both challenged today (interbank: always).
    for amount in ("120", "300"):
        assert pay(whatsapp, amount).startswith(SMS_ASKED)
        whatsapp.send(AMINA, "cancel")

    alice = make_staff(services, "alice", Role.ADMIN)
    bob = make_staff(services, "bob", Role.ADMIN)
    proposed = page.request.patch(
        f"{live_server}/admin/api/v1/scenarios/{INTERBANK}",
        data=json.dumps({"frequency": "value_based", "value_above": "200.00"}),
        headers={
            "Authorization": f"Bearer {config.admin_api_key}",
            "X-Admin-User": "alice",
            "X-Change-Reason": "small interbank transfers without a code",
            "If-Match": '"v1"',
            "Content-Type": "application/json",
        },
    )
    assert proposed.status == 202, proposed.text()
    change_id = proposed.json()["pending"]["id"]
    assert services.scenarios.get(INTERBANK).spec.value_above is None  # not in force yet

    # Alice: pending, counted in the menu, approve refused with the reason.
    sign_in(page, live_server, alice, clock)
    expect(page.get_by_role("link", name="Approvals 1")).to_be_visible()
    page.get_by_role("link", name="Approvals 1").click()
    change = page.locator(f"section[aria-labelledby='change-{change_id}']")
    expect(change).to_contain_text("Edit scenario: Interbank Transfer (oob07)")
    expect(change).to_contain_text("small interbank transfers without a code")
    approve = change.get_by_role("button", name="Approve")
    expect(approve).to_be_disabled()
    expect(change).to_contain_text("You proposed this change; another admin must approve it.")
    expect(change.get_by_role("button", name="Withdraw")).to_be_visible()
    shoot(page, "approvals-author")
    page.get_by_role("button", name="Sign out").click()

    # Bob: the diff and the impact, then approve.
    sign_in(page, live_server, bob, clock)
    page.goto(f"{live_server}/admin/approvals")
    change = page.locator(f"section[aria-labelledby='change-{change_id}']")
    diff = change.locator("table.diff")
    expect(diff.locator("tr", has_text="value_above")).to_contain_text("200.00")
    expect(diff.locator("tr", has_text="frequency")).to_contain_text("value_based")
    row = change.locator("table.impact tbody tr", has_text=TRANSFER)
    expect(row.locator("td.num")).to_have_text(["2", "2", "1", "-1"])
    expect(row).to_contain_text("Inter Bank Fund Transfer")
    shoot(page, "approvals", height=1000)
    change.get_by_role("button", name="Approve").click()
    expect(page.locator(".notice")).to_contain_text("Approved: the change is in force now.")
    expect(page.locator("dl.facts")).to_contain_text("approved and applied")
    expect(page.locator("dl.facts")).to_contain_text("bob")
    shoot(page, "approval-decided")
    expect(page.get_by_role("link", name="Approvals 1")).to_have_count(0)

    # In force: the dry-run and the chat agree.
    scenario = services.scenarios.get(INTERBANK)
    assert scenario.updated_by == "automation:alice, approved by bob" and scenario.version == 2
    retail = Application.RETAIL_BANKING
    assert not services.scenarios.dry_run(retail, TRANSFER, Decimal("150.00")).required
    assert services.scenarios.dry_run(retail, TRANSFER, Decimal("250.00")).required
    assert pay(whatsapp, "150").startswith("Done: USD 150.00 sent to Chidi Okeke")
    assert pay(whatsapp, "250").startswith(SMS_ASKED)
