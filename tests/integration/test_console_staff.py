"""The console's *Staff* screens through the real app: admins list, create (the set-up link
shown once), change roles, disable and enable, reset (a new link; password, authenticator and
API tokens gone), lift a lockout and revoke others' tokens; no one changes, disables or resets
themself; bad input is refused beside its field and changes nothing; other roles can't reach
any of it (menu, URL, POST); every change and refusal is audited."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from admin.staff.accounts import StaffStatus
from admin.staff.roles import Role
from app import Services
from auth.stores.audit import AuditLog
from tests.console import ConsoleClient, console_as, make_staff
from tests.fakes import FrozenClock

LINK = re.compile(r'id="setup-link"[^>]*value="(https://teller\.test/admin/setup/([^"]+))"')


def events(services: Services, name: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in AuditLog(services.redis).entries(count=200, event=name)]


@pytest.fixture
def admin(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    console, _ = console_as(app, services, clock, Role.ADMIN, "grace")
    return console


def test_the_list_shows_every_account(
    admin: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    make_staff(services, "vera", Role.VIEWER)
    services.staff.create("new.one", Role.AUDITOR, by="grace")
    for _ in range(5):
        services.staff.sign_in("vera", "wrong password!", "000000")

    html = admin.get("/admin/staff").get_data(as_text=True)

    for text in ("grace", "vera", "new.one", "auditor", "setup", "active", "(you)"):
        assert text in html, text
    row = html.split('id="user-vera"')[1].split("</tr>")[0]
    assert "viewer" in row and "2026-11-02" in row and 'class="badge bad"' in row  # locked


def test_creating_a_user_shows_the_setup_link_once(
    admin: ConsoleClient, services: Services
) -> None:
    created = admin.post("/admin/staff", {"username": "Olu.Ops", "role": "operator"})

    assert created.status_code == 200
    html = created.get_data(as_text=True)
    found = LINK.search(html)
    assert found, html
    assert "won't be shown again" in html
    user = services.staff.open_setup(found.group(2))
    assert user is not None and user.username == "olu.ops" and user.role is Role.OPERATOR
    assert user.status is StaffStatus.SETUP and user.created_by == "grace"
    assert found.group(2) not in admin.get("/admin/staff/olu.ops").get_data(as_text=True)
    [entry] = events(services, "staff.created")
    assert entry["actor"] == "grace" and entry["target"] == "olu.ops"
    assert entry["role"] == "operator" and found.group(2) not in str(entry)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"username": "x", "role": "viewer"}, "username", "3-32 lower-case"),
        ({"username": "has space", "role": "viewer"}, "username", "3-32 lower-case"),
        ({"username": "grace", "role": "viewer"}, "username", "is taken"),
        ({"username": "fine.name", "role": ""}, "role", "choose one of the roles"),
        ({"username": "fine.name", "role": "root"}, "role", "choose one of the roles"),
    ],
)
def test_a_bad_new_user_is_refused_beside_its_field(
    admin: ConsoleClient, services: Services, form: dict[str, str], field: str, message: str
) -> None:
    refused = admin.post("/admin/staff", form)

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    errors = html.split(f'id="{field}-errors"')[1].split("</ul>")[0]
    assert message in errors
    assert [u.username for u in services.staff.all()] == ["grace"]
    assert events(services, "staff.created") == []


def test_every_problem_of_a_new_user_is_shown_at_once(
    admin: ConsoleClient, services: Services
) -> None:
    refused = admin.post("/admin/staff", {"username": "?", "role": ""})

    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="username-errors"' in html and 'id="role-errors"' in html
    assert [u.username for u in services.staff.all()] == ["grace"]


def test_changing_a_role_applies_to_sessions_and_tokens(
    admin: ConsoleClient, app: Flask, services: Services, clock: FrozenClock
) -> None:
    vera, _ = console_as(app, services, clock, Role.VIEWER, "vera")
    services.tokens.create("vera", "ci", channel="console")

    answer = admin.post("/admin/staff/vera/role", {"role": "admin"})

    assert answer.status_code == 302
    assert services.staff.get("vera").role is Role.ADMIN
    assert vera.get("/admin").status_code == 302  # signed out: the role applies at next sign-in
    [entry] = events(services, "staff.role_changed")
    assert (entry["actor"], entry["target"], entry["before"], entry["after"]) == (
        "grace",
        "vera",
        "viewer",
        "admin",
    )
    assert "now admin" in admin.get("/admin/staff/vera").get_data(as_text=True)
    assert admin.post("/admin/staff/vera/role", {"role": "nope"}).status_code == 422
    assert services.staff.get("vera").role is Role.ADMIN


def test_no_one_changes_disables_or_resets_themself(
    admin: ConsoleClient, services: Services
) -> None:
    make_staff(services, "ada", Role.ADMIN)  # not the last admin: still refused

    for path, form in [
        ("/admin/staff/grace/role", {"role": "viewer"}),
        ("/admin/staff/grace/disable", {}),
        ("/admin/staff/grace/reset", {}),
    ]:
        refused = admin.post(path, form)
        assert refused.status_code == 422, path
        assert "ask another admin" in refused.get_data(as_text=True)
    user = services.staff.get("grace")
    assert user.role is Role.ADMIN and user.active
    assert admin.get("/admin").status_code == 200  # still signed in
    assert {e["result"] for e in events(services, "staff.role_changed")} == {"refused"}
    page = admin.get("/admin/staff/grace").get_data(as_text=True)
    assert "/admin/staff/grace/disable" not in page and "/admin/staff/grace/role" not in page


def test_disable_then_enable(
    admin: ConsoleClient, app: Flask, services: Services, clock: FrozenClock
) -> None:
    olu, _ = console_as(app, services, clock, Role.OPERATOR, "olu")
    _, secret = services.tokens.create("olu", "ci", channel="console")
    confirm = admin.get("/admin/staff/olu/disable")
    assert confirm.status_code == 200 and "Disable olu?" in confirm.get_data(as_text=True)
    assert services.staff.get("olu").active  # asking changes nothing

    assert admin.post("/admin/staff/olu/disable").status_code == 302

    assert services.staff.get("olu").status is StaffStatus.DISABLED
    assert olu.get("/admin").status_code == 302
    assert admin.post("/admin/staff/olu/disable").status_code == 302  # already: nothing more
    auth = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/admin/api/v1/scenarios", headers=auth).status_code == 401
    assert admin.post("/admin/staff/olu/enable").status_code == 302
    assert services.staff.get("olu").active
    assert app.test_client().get("/admin/api/v1/scenarios", headers=auth).status_code == 200
    assert [e["target"] for e in events(services, "staff.disabled")] == ["olu"]
    assert [e["target"] for e in events(services, "staff.enabled")] == ["olu"]


def test_reset_gives_a_new_link_and_ends_everything(
    admin: ConsoleClient, app: Flask, services: Services, clock: FrozenClock
) -> None:
    olu, _ = console_as(app, services, clock, Role.OPERATOR, "olu")
    _, secret = services.tokens.create("olu", "ci", channel="console")
    assert "Reset olu?" in admin.get("/admin/staff/olu/reset").get_data(as_text=True)

    done = admin.post("/admin/staff/olu/reset")

    found = LINK.search(done.get_data(as_text=True))
    assert done.status_code == 200 and found
    assert services.staff.open_setup(found.group(2)).username == "olu"
    assert services.staff.get("olu").status is StaffStatus.SETUP
    assert not services.staff.has_password("olu")
    assert olu.get("/admin").status_code == 302
    assert all(not t.active for t in services.tokens.of("olu"))
    auth = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/admin/api/v1/scenarios", headers=auth).status_code == 401
    assert events(services, "staff.reset")[0]["target"] == "olu"
    assert events(services, "staff.token_revoked")[0]["actor"] == "grace"


def test_lifting_a_lockout(admin: ConsoleClient, services: Services) -> None:
    make_staff(services, "vera", Role.VIEWER)
    for _ in range(5):
        services.staff.sign_in("vera", "wrong password!", "000000")
    assert "Lift the sign-in lockout" in admin.get("/admin/staff/vera").get_data(as_text=True)

    assert admin.post("/admin/staff/vera/unlock").status_code == 302

    assert services.staff.get("vera").locked_until is None
    assert events(services, "staff.unlocked")[0]["target"] == "vera"


def test_an_admin_revokes_someone_elses_token(admin: ConsoleClient, services: Services) -> None:
    make_staff(services, "vera", Role.VIEWER)
    token, _ = services.tokens.create("vera", "laptop", channel="console")
    assert "laptop" in admin.get("/admin/staff/vera").get_data(as_text=True)

    answer = admin.post(f"/admin/staff/vera/tokens/{token.token_id}/revoke")

    assert answer.status_code == 302
    revoked = services.tokens.get(token.token_id)
    assert not revoked.active and revoked.revoked_by == "grace"
    # The id must belong to the user named in the path.
    mine, _ = services.tokens.create("grace", "mine", channel="console")
    assert admin.post(f"/admin/staff/vera/tokens/{mine.token_id}/revoke").status_code == 404
    assert services.tokens.get(mine.token_id).active


def test_an_unknown_user_is_404(admin: ConsoleClient) -> None:
    assert admin.get("/admin/staff/nobody").status_code == 404
    assert admin.post("/admin/staff/nobody/role", {"role": "viewer"}).status_code == 404
    assert admin.post("/admin/staff/nobody/disable").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.AUDITOR])
def test_other_roles_cant_reach_staff_management(
    app: Flask, services: Services, clock: FrozenClock, role: Role
) -> None:
    make_staff(services, "grace", Role.ADMIN)
    console, staff = console_as(app, services, clock, role)

    assert "/admin/staff" not in console.get("/admin").get_data(as_text=True)
    assert console.get("/admin/staff").status_code == 403
    assert console.get("/admin/staff/grace").status_code == 403
    for path, form in [
        ("/admin/staff", {"username": "sneaky", "role": "admin"}),
        ("/admin/staff/grace/role", {"role": "viewer"}),
        ("/admin/staff/grace/disable", {}),
        ("/admin/staff/grace/reset", {}),
        (f"/admin/staff/{staff.username}/role", {"role": "admin"}),
    ]:
        assert console.post(path, form).status_code == 403, path
    assert services.staff.get("sneaky") is None
    assert services.staff.get("grace").role is Role.ADMIN and services.staff.get("grace").active
    assert services.staff.get(staff.username).role is role
