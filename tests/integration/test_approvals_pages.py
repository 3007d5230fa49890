"""The approvals pages through the real app (Flask test client, signed in as real staff): only
admins reach them (others get 403 by URL and by POST, nobody signed in goes to sign-in); the
pending list with author, reason, diff and impact; the author's approve refused with the
reason; a second admin approves and the change is in force; reject needs a note; decided and
unknown changes; the menu's count; a CSRF-less post changes nothing."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from admin.approvals.changes import submit
from admin.approvals.store import Status
from admin.staff.roles import Role
from app import Services
from tests.approvals import decided, four_eyes_on
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock

INTERBANK = "oob07"
TRANSFER = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"
THRESHOLD = {"frequency": "value_based", "value_above": "200.00"}


def propose(services: Services, author: str = "alice") -> str:
    four_eyes_on(services)
    done = submit(
        services.changes, "scenario.update", INTERBANK, THRESHOLD, 1, author, "fewer SMS codes"
    )
    assert done.pending is not None
    return done.pending.change_id


def text(seen: ConsoleClient | TestResponse) -> str:
    """A page's HTML with runs of white space as one space (the last page a client got)."""
    response = seen.last if isinstance(seen, ConsoleClient) else seen
    assert response is not None
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.AUDITOR])
def test_only_admins(app: Flask, services: Services, clock: FrozenClock, role: Role) -> None:
    change_id = propose(services)
    console, _ = console_as(app, services, clock, role)
    assert console.get("/admin/approvals").status_code == 403
    assert console.get(f"/admin/approvals/{change_id}").status_code == 403
    assert "Approvals" not in text(console.get("/admin"))  # not in the menu either
    for action in ("approve", "reject"):
        response = console.post(f"/admin/approvals/{change_id}/{action}", {"note": "no"})
        assert response.status_code == 403
    assert services.changes.get(change_id).pending


def test_signed_out_goes_to_sign_in(app: Flask, services: Services) -> None:
    response = app.test_client().get("/admin/approvals")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_the_author_sees_it_and_cannot_approve(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    change_id = propose(services)
    alice, _ = console_as(app, services, clock, Role.ADMIN, "alice")
    page = text(alice.get("/admin/approvals"))
    assert "Edit scenario: Interbank Transfer (oob07)" in page
    assert "fewer SMS codes" in page and "alice (you)" in page
    assert 'disabled aria-describedby="refusal-' in page
    assert "You proposed this change; another admin must approve it." in page
    assert "Withdraw" in page
    response = alice.post(f"/admin/approvals/{change_id}/approve")
    assert response.status_code == 403
    assert "you proposed this change; another admin must approve it" in text(alice)
    assert services.changes.get(change_id).pending
    assert services.scenarios.get(INTERBANK).version == 1


def test_a_second_admin_sees_the_impact_and_approves(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    for amount in ("50.00", "150.00", "250.00"):
        decided(services, TRANSFER, amount)
        clock.advance(minutes=10)
    change_id = propose(services)
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    page = text(bob.get("/admin/approvals"))
    assert "<del>always</del>" in page and "<ins>value_based</ins>" in page
    assert "<del>—</del>" in page and "<ins>200.00</ins>" in page
    row = re.search(rf'<code class="action">{TRANSFER}</code>.*?</tr>', page)
    assert row is not None
    numbers = re.findall(r'<td class="num">([^<]+)</td>', row.group(0))
    assert numbers == ["3", "3", "1", "-2"]
    response = bob.post(f"/admin/approvals/{change_id}/approve")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/approvals/{change_id}")
    page = text(bob.get(f"/admin/approvals/{change_id}"))
    assert "Approved: the change is in force now." in page
    assert "approved and applied" in page and "Decided by</dt><dd>bob" in page
    scenario = services.scenarios.get(INTERBANK)
    assert str(scenario.spec.value_above) == "200.00"
    assert scenario.updated_by == "alice, approved by bob"
    (entry,) = services.auth.audit.entries(event="change.approved")
    assert (entry.fields["actor"], entry.fields["channel"]) == ("bob", "console")
    # The impact the approver saw is kept with the decided change.
    assert "As replayed when it was approved" in page
    kept = re.search(rf'<code class="action">{TRANSFER}</code>.*?</tr>', page)
    assert kept is not None
    assert re.findall(r'<td class="num">([^<]+)</td>', kept.group(0)) == ["3", "3", "1", "-2"]
    # Decided: no buttons, listed as decided.
    assert "Approve</button>" not in page
    assert "Nothing is waiting for approval." in text(bob.get("/admin/approvals"))
    again = bob.post(f"/admin/approvals/{change_id}/approve")
    assert again.status_code == 409 and "already decided by bob" in text(bob)


def test_reject_needs_a_note(app: Flask, services: Services, clock: FrozenClock) -> None:
    change_id = propose(services)
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    response = bob.post(f"/admin/approvals/{change_id}/reject", {"note": "  "})
    assert response.status_code == 422
    assert 'id="note-errors"' in text(bob) and "say why" in text(bob)
    assert services.changes.get(change_id).pending
    response = bob.post(f"/admin/approvals/{change_id}/reject", {"note": "x" * 501})
    assert response.status_code == 422 and "at most 500 characters" in text(bob)
    response = bob.post(f"/admin/approvals/{change_id}/reject", {"note": "keep interbank tight"})
    assert response.status_code == 302
    change = services.changes.get(change_id)
    assert change.status is Status.REJECTED and change.note == "keep interbank tight"
    page = text(bob.get(f"/admin/approvals/{change_id}"))
    assert "Rejected: nothing was changed." in page and "keep interbank tight" in page


def test_the_author_withdraws(app: Flask, services: Services, clock: FrozenClock) -> None:
    change_id = propose(services)
    alice, _ = console_as(app, services, clock, Role.ADMIN, "alice")
    alice.post(f"/admin/approvals/{change_id}/reject", {"note": "wrong scenario"})
    assert "Withdrawn: nothing was changed." in text(alice.get(f"/admin/approvals/{change_id}"))


def test_superseded_says_what_changed(app: Flask, services: Services, clock: FrozenClock) -> None:
    change_id = propose(services)
    services.scenarios.update(INTERBANK, {"description": "Interbank Transfers"}, "carol", 1)
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    bob.post(f"/admin/approvals/{change_id}/approve")
    page = text(bob.get(f"/admin/approvals/{change_id}"))
    assert "Not applied: changed by carol after this change was proposed" in page
    assert "superseded: not applied" in page


def test_unknown_change(app: Flask, services: Services, clock: FrozenClock) -> None:
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    assert bob.get("/admin/approvals/0123456789abcdef").status_code == 404
    assert bob.get("/admin/approvals/..%2Fx").status_code == 404
    assert bob.post("/admin/approvals/0123456789abcdef/approve").status_code == 404


def test_the_menu_counts_pending_changes(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    assert 'aria-label="1 waiting"' not in text(bob.get("/admin"))
    propose(services)
    assert 'Approvals <span class="count" aria-label="1 waiting">1</span>' in text(
        bob.get("/admin")
    )


def test_four_eyes_off_says_so(app: Flask, services: Services, clock: FrozenClock) -> None:
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    assert "Four eyes is off" in text(bob.get("/admin/approvals"))


def test_a_post_without_csrf_changes_nothing(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    change_id = propose(services)
    bob, _ = console_as(app, services, clock, Role.ADMIN, "bob")
    response = bob.client.post(f"/admin/approvals/{change_id}/approve")
    assert response.status_code == 400
    assert services.changes.get(change_id).pending
