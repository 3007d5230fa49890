"""The Customers screens through the Flask client: who may reach them, the search box, the
audited page view, each action's form (a bad reason beside its field, nothing changed), its
refusals (409, saying why) and its effect, and the reset's confirmation step."""

from __future__ import annotations

import pytest
from flask import Flask

from admin.staff.roles import Role
from app import Services
from auth.ports import Status
from auth.stores.credentials import AccountStatus
from auth.stores.lockout import Kind
from tests.conftest import AMINA
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

REASON = "customer called the helpdesk"


@pytest.fixture
def operator(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    return console_as(app, services, clock, Role.OPERATOR, "olu.ops")[0]


@pytest.fixture
def registered(whatsapp: WhatsApp, secure: SecurePages) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)


def text(console: ConsoleClient) -> str:
    assert console.last is not None
    return console.last.get_data(as_text=True)


def entries(services: Services, event: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(count=50, event=event)]


def status(services: Services) -> AccountStatus | None:
    creds = services.auth.credentials.get(AMINA)
    return creds.status if creds else None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_viewers_and_auditors_cannot_reach_customers(
    app: Flask, services: Services, clock: FrozenClock, role: Role, registered: None
) -> None:
    console, _ = console_as(app, services, clock, role)
    home = console.get("/admin").get_data(as_text=True)
    assert 'href="/admin/customers"' not in home
    assert console.get("/admin/customers?q=amina").status_code == 403
    assert console.get("/admin/customers/C001").status_code == 403
    assert console.get("/admin/customers/C001/reset").status_code == 403
    for action in ("block", "unblock", "lift-lockout", "end-sessions", "reset"):
        answer = console.post(f"/admin/customers/C001/{action}", {f"{action}_reason": REASON})
        assert answer.status_code == 403
    assert status(services) is AccountStatus.REGISTERED
    assert services.auth.check(AMINA).status is Status.VALID
    assert entries(services, "customer.view") == []


def test_signed_out_goes_to_sign_in(app: Flask) -> None:
    answer = app.test_client().get("/admin/customers/C001")
    assert answer.status_code == 302 and "/admin/login" in answer.location


def test_search_box(operator: ConsoleClient) -> None:
    assert 'href="/admin/customers"' in operator.get("/admin").get_data(as_text=True)
    assert operator.get("/admin/customers").status_code == 200
    found = operator.get("/admin/customers?q=0001")
    assert found.status_code == 200
    page = text(operator)
    assert "/admin/customers/C001" in page and "+234•••••0001" in page and AMINA not in page
    assert operator.get("/admin/customers?q=12").status_code == 422
    assert 'id="q-errors"' in text(operator) and "last 4 digits" in text(operator)
    operator.get("/admin/customers?q=nobody+at+all")
    assert "No customer matches" in text(operator)


def test_the_page_is_audited_and_masked(
    operator: ConsoleClient, services: Services, registered: None
) -> None:
    assert operator.get("/admin/customers/C001").status_code == 200
    page = text(operator)
    for secret in (AMINA, "amina@example.com", "0123456789", "amina.y"):
        assert secret not in page
    assert "+234•••••0001" in page and "a••••@example.com" in page and "••6789" in page
    assert 'id="audit-link"' not in page  # operators don't read the audit log
    [view] = entries(services, "customer.view")
    assert view["actor"] == "olu.ops" and view["customer"] == "C001"
    assert view["number"] == "+234•••••0001" and view["channel"] == "console"
    assert operator.get("/admin/customers/C999").status_code == 404
    assert len(entries(services, "customer.view")) == 1


def test_block_with_a_reason_then_unblock(
    operator: ConsoleClient, services: Services, whatsapp: WhatsApp, registered: None
) -> None:
    operator.get("/admin/customers/C001")
    bad = operator.post("/admin/customers/C001/block", {"block_reason": "bad"})
    assert bad.status_code == 422 and 'id="block_reason-errors"' in text(operator)
    assert status(services) is AccountStatus.REGISTERED
    done = operator.post("/admin/customers/C001/block", {"block_reason": REASON})
    assert done.status_code == 303 and done.location.endswith("/admin/customers/C001")
    assert status(services) is AccountStatus.BLOCKED
    operator.get("/admin/customers/C001")
    assert "chat banking blocked" in text(operator) and 'id="unblock-form"' in text(operator)
    [block] = entries(services, "customer.block")
    assert block["actor"] == "olu.ops" and block["reason"] == REASON
    assert "has stopped chat banking" in whatsapp.send(AMINA, "balance").text
    again = operator.post("/admin/customers/C001/block", {"block_reason": REASON})
    assert again.status_code == 409 and "is already blocked by the bank" in text(operator)
    assert (
        operator.post("/admin/customers/C001/unblock", {"unblock_reason": REASON}).status_code
        == 303
    )
    assert status(services) is AccountStatus.REGISTERED
    assert entries(services, "customer.unblock")[0]["actor"] == "olu.ops"


def test_refusals_say_why(operator: ConsoleClient, services: Services) -> None:
    operator.get("/admin/customers/C001")
    block = operator.post("/admin/customers/C001/block", {"block_reason": REASON})
    assert block.status_code == 409
    assert "Amina Yusuf has not registered for chat banking: nothing to block." in text(operator)
    lift = operator.post(
        "/admin/customers/C001/lift-lockout", {"lift_reason": REASON, "lift_kind": "pin"}
    )
    assert lift.status_code == 409 and "nothing to lift" in text(operator)
    assert (
        operator.post("/admin/customers/C001/unblock", {"unblock_reason": REASON}).status_code
        == 409
    )
    assert entries(services, "customer.block") == []


def test_lift_a_lockout(operator: ConsoleClient, services: Services, registered: None) -> None:
    for kind in (Kind.PIN, Kind.CODE):
        for _ in range(5):
            services.auth.lockouts.failure(AMINA, kind, services.clock())
    operator.get("/admin/customers/C001")
    assert 'id="lift-form"' in text(operator)
    none = operator.post("/admin/customers/C001/lift-lockout", {"lift_reason": REASON})
    assert none.status_code == 422 and 'id="lift_kind-errors"' in text(operator)
    odd = operator.post(
        "/admin/customers/C001/lift-lockout", {"lift_reason": REASON, "lift_kind": "root"}
    )
    assert odd.status_code == 422
    done = operator.post(
        "/admin/customers/C001/lift-lockout", {"lift_reason": REASON, "lift_kind": "pin"}
    )
    assert done.status_code == 303
    assert services.auth.lockouts.blocked_until(AMINA, Kind.PIN, services.clock()) is None
    assert services.auth.lockouts.blocked_until(AMINA, Kind.CODE, services.clock()) is not None
    assert entries(services, "customer.lift_lockout")[0]["kind"] == "pin"


def test_end_sessions(operator: ConsoleClient, services: Services, registered: None) -> None:
    operator.get("/admin/customers/C001")
    done = operator.post("/admin/customers/C001/end-sessions", {"end_reason": REASON})
    assert done.status_code == 303
    assert services.auth.check(AMINA).status is Status.MISSING
    operator.get("/admin/customers/C001")
    assert "logged out everywhere" in text(operator)


def test_reset_needs_its_confirmation(
    operator: ConsoleClient, services: Services, registered: None
) -> None:
    operator.get("/admin/customers/C001")
    assert 'href="/admin/customers/C001/reset"' in text(operator)
    assert operator.get("/admin/customers/C001/reset").status_code == 200
    assert 'id="reset-form"' in text(operator)
    unconfirmed = operator.post("/admin/customers/C001/reset", {"reset_reason": REASON})
    assert unconfirmed.status_code == 422 and 'id="reset_confirm-errors"' in text(operator)
    assert status(services) is AccountStatus.REGISTERED
    done = operator.post(
        "/admin/customers/C001/reset", {"reset_reason": REASON, "reset_confirm": "yes"}
    )
    assert done.status_code == 303 and done.location.endswith("/admin/customers/C001")
    assert status(services) is None
    assert entries(services, "customer.reset_registration")[0]["reason"] == REASON
    operator.get("/admin/customers/C001/reset")
    assert 'id="reset-form"' not in text(operator) and "nothing to reset" in text(operator)


def test_a_post_without_csrf_is_refused(
    operator: ConsoleClient, services: Services, registered: None
) -> None:
    answer = operator.client.post("/admin/customers/C001/block", data={"block_reason": REASON})
    assert answer.status_code == 400
    assert status(services) is AccountStatus.REGISTERED


def test_admins_look_after_customers_too(
    app: Flask, services: Services, clock: FrozenClock, registered: None
) -> None:
    admin, _ = console_as(app, services, clock, Role.ADMIN, "ada.admin")
    assert admin.get("/admin/customers?q=amina").status_code == 200
    assert admin.get("/admin/customers/C001").status_code == 200
    assert 'href="/admin/audit?customer=C001"' in text(admin)  # admins read the audit too
    assert 'href="/admin/audit/' in text(admin)  # each recent event opens its entry
    done = admin.post("/admin/customers/C001/end-sessions", {"end_reason": REASON})
    assert done.status_code == 303
    assert entries(services, "customer.end_sessions")[0]["actor"] == "ada.admin"
