"""KYC changes through four eyes (``ADMIN_FOUR_EYES`` on), from the console: a level's change
and a customer's level wait, pending, with nothing in force; the author can't approve; another
admin approves and the change is in force, audited as both; an approval of a change made from
limits changed since supersedes it; the pending change's page shows its impact per limit."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from flask import Flask

from admin.approvals.outcomes import Refused
from admin.staff.roles import Role
from app import Services
from tests.approvals import four_eyes_on
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock

WHY = "Annual limits review, ticket KYC-118"
LEVEL_2 = {"per_transaction": "2000.00", "daily": "5000.00", "monthly": "30000.00"}


def version_of(console: ConsoleClient, form_id: str) -> str:
    text = console.get("/admin/kyc").get_data(as_text=True)
    found = re.search(rf'id="{form_id}".*?name="version" value="([0-9]+)"', text, re.S)
    assert found is not None
    return found.group(1)


def test_a_level_change_waits_for_another_admin(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    four_eyes_on(services)
    alice, _ = console_as(app, services, clock, Role.ADMIN, "alice")
    services.auth.audit.record(  # a transfer the change would have refused
        "money.transfer",
        at=clock() - timedelta(hours=2),
        customer_id="C001",
        msisdn="+2348030000001",
        channel="whatsapp",
        result="success",
        amount="USD 1500.00",
    )
    form = {**LEVEL_2, "per_transaction": "1000", "reason": WHY}
    sent = alice.post("/admin/kyc/levels/2", {**form, "version": version_of(alice, "level-2")})
    assert sent.status_code == 303
    notice = alice.get("/admin/kyc").get_data(as_text=True)
    assert "KYC level 2 proposed: it takes effect once another admin approves it." in notice
    assert services.bank.kyc_levels()[1].per_transaction == Decimal("2000.00")  # not yet
    [pending] = services.changes.pending()
    assert (pending.kind, pending.target, pending.author) == ("kyc_level.put", "2", "alice")
    alice_user = services.staff.get("alice")
    assert alice_user is not None
    try:
        services.changes.approve(pending.change_id, alice_user)
        raise AssertionError("the author approved their own change")
    except Refused:
        pass
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    page = bob.get(f"/admin/approvals/{pending.change_id}").get_data(as_text=True)
    assert "Change a KYC level" in page and "KYC level 2" in page
    impact = re.sub(r"\s+", " ", page.split('class="impact"', 1)[1].split("</table>", 1)[0])
    assert (
        '<td>per-transaction limit</td> <td class="num">1</td> <td class="num">0</td>'
        ' <td class="num">1</td>'
    ) in impact
    assert '<th scope="row">All</th><td class="num">1</td>' in impact  # one movement in all
    approved = bob.post(f"/admin/approvals/{pending.change_id}/approve")
    assert approved.status_code in (302, 303)
    assert services.bank.kyc_levels()[1].per_transaction == Decimal("1000.00")
    [entry] = [dict(e.fields) for e in services.auth.audit.entries(event="kyc.level_changed")]
    assert (entry["actor"], entry["reason"]) == ("alice, approved by bob", WHY)


def test_an_approval_of_a_change_made_from_old_limits_supersedes_it(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    four_eyes_on(services)
    alice, _ = console_as(app, services, clock, Role.ADMIN, "alice")
    version = version_of(alice, "level-2")
    for daily in ("6000", "7000"):  # two proposals made from the same limits
        form = {**LEVEL_2, "daily": daily, "reason": WHY, "version": version}
        assert alice.post("/admin/kyc/levels/2", form).status_code == 303
    first, second = sorted(services.changes.pending(), key=lambda c: c.after["daily"])
    bob = services.staff.get(console_as(app, services, clock, Role.ADMIN, "bob")[1].username)
    assert bob is not None
    assert services.changes.approve(first.change_id, bob).applied
    late = services.changes.approve(second.change_id, bob)
    assert not late.applied and "changed after this change was proposed" in late.reason
    assert services.bank.kyc_levels()[1].daily == Decimal("6000.00")


def test_an_operators_customer_level_change_waits_for_an_admin(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    four_eyes_on(services)
    olu, _ = console_as(app, services, clock, Role.OPERATOR, "olu")
    sent = olu.post(
        "/admin/customers/C001/kyc-level", {"level": "3", "reason": WHY, "version": "2"}
    )
    assert sent.status_code == 303
    page = olu.get("/admin/customers/C001").get_data(as_text=True)
    assert "KYC level 3 for Amina Yusuf proposed" in page
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 2
    [pending] = services.changes.pending()
    assert (pending.kind, pending.after) == ("customer.kyc_level", {"level": 3, "reason": WHY})
    ada = services.staff.get(console_as(app, services, clock, Role.ADMIN, "ada")[1].username)
    assert ada is not None
    assert services.changes.approve(pending.change_id, ada).applied
    customer = services.bank.customer("C001")
    assert customer is not None and customer.kyc_level == 3
    [entry] = [dict(e.fields) for e in services.auth.audit.entries(event="customer.kyc_level")]
    assert (entry["actor"], entry["customer"], entry["level"]) == (
        "olu, approved by ada",
        "C001",
        "3",
    )
