"""The staff console's accounts and sign-in: set-up link, password rule, authenticator, lockout,
sessions (idle, absolute, sign-out, a new token each time), roles, CSRF, headers and audit."""

from __future__ import annotations

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin.staff.accounts import StaffProblem, StaffStatus
from admin.staff.roles import Permission, Role, can
from app import Services
from auth.stores.audit import AuditLog
from tests.console import PASSWORD, ConsoleClient, console_as, make_staff
from tests.fakes import FrozenClock


def events(services: Services, name: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in AuditLog(services.redis).entries(count=200, event=name)]


def test_roles_table_fails_closed() -> None:
    assert can(Role.ADMIN, Permission.MANAGE_STAFF)
    assert not can(Role.VIEWER, Permission.EDIT_CONFIG)
    assert can(Role.AUDITOR, Permission.READ_AUDIT)
    assert not can(Role.OPERATOR, Permission.READ_AUDIT)
    assert not can("root", Permission.READ_CONFIG)


def test_setup_link_then_sign_in(app: Flask, services: Services, clock: FrozenClock) -> None:
    token = services.staff.create("ada", Role.ADMIN, by="cli")
    console = ConsoleClient(app.test_client(), clock)
    page = console.get(f"/admin/setup/{token}")
    assert page.status_code == 200 and "ada" in page.get_data(as_text=True)
    weak = console.post(f"/admin/setup/{token}", {"password": "Password2024!", "again": "x"})
    assert weak.status_code == 422
    assert "too common" in weak.get_data(as_text=True)
    assert not services.staff.has_password("ada")
    differ = console.post(f"/admin/setup/{token}", {"password": PASSWORD, "again": PASSWORD + "x"})
    assert differ.status_code == 422 and not services.staff.has_password("ada")
    done = console.post(f"/admin/setup/{token}", {"password": PASSWORD, "again": PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/authenticator")
    qr = console.get(f"/admin/setup/{token}/authenticator")
    assert 'src="data:image/svg+xml' in qr.get_data(as_text=True)
    wrong = console.post(f"/admin/setup/{token}/authenticator", {"code": "000000"})
    assert wrong.status_code == 422
    secret = services.staff.pending_secret("ada")
    ok = console.post(
        f"/admin/setup/{token}/authenticator", {"code": pyotp.TOTP(secret).at(clock())}
    )
    assert ok.status_code == 302
    user = services.staff.get("ada")
    assert user is not None and user.status is StaffStatus.ACTIVE
    assert console.get("/admin").status_code == 200  # signed in by the set-up
    assert console.get(f"/admin/setup/{token}").status_code == 404  # used up
    assert events(services, "staff.setup")[0]["actor"] == "ada"
    # TOTP secret is never stored in clear
    stored = services.redis.hget("teller:{staff}:user:ada", "totp") or ""
    assert secret not in stored and stored


def test_sign_in_needs_all_three_and_never_says_which(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    staff = make_staff(services, "ben", Role.VIEWER)
    console = ConsoleClient(app.test_client(), clock)
    console.get("/admin/login")
    bad_code = console.post(
        "/admin/login", {"username": "ben", "password": PASSWORD, "code": "123456"}
    )
    bad_password = console.post(
        "/admin/login", {"username": "ben", "password": "nope", "code": staff.code(clock)}
    )
    unknown = console.post(
        "/admin/login", {"username": "nobody", "password": PASSWORD, "code": "123456"}
    )
    texts = {r.status_code for r in (bad_code, bad_password, unknown)}
    assert texts == {401}
    assert "match" in bad_code.get_data(as_text=True)
    assert console.get("/admin").status_code == 302  # still signed out
    failed = events(services, "staff.login_failed")
    assert {e["actor"] for e in failed} == {"ben", "unknown"}
    console.sign_in(staff)
    assert console.get("/admin").status_code == 200
    assert events(services, "staff.login")[0]["actor"] == "ben"


def test_a_code_is_accepted_once(app: Flask, services: Services, clock: FrozenClock) -> None:
    staff = make_staff(services, "cyd", Role.VIEWER)
    code = staff.code(clock)
    first = services.staff.sign_in("cyd", PASSWORD, code)
    again = services.staff.sign_in("cyd", PASSWORD, code)
    assert first.user is not None and again.user is None


def test_five_failures_lock_even_the_right_answer(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    staff = make_staff(services, "dee", Role.VIEWER)
    for _ in range(5):
        assert services.staff.sign_in("dee", "wrong password!", "000000").user is None
    locked = services.staff.sign_in("dee", PASSWORD, staff.code(clock))
    assert locked.user is None and locked.locked_until is not None
    console = ConsoleClient(app.test_client(), clock)
    console.get("/admin/login")
    answer = console.post(
        "/admin/login", {"username": "dee", "password": PASSWORD, "code": staff.code(clock)}
    )
    assert answer.status_code == 429 and "locked until" in answer.get_data(as_text=True)
    clock.advance(minutes=16)
    services.staff.unlock("dee")  # the Redis TTL runs on real time; the lockout's end passed
    assert services.staff.sign_in("dee", PASSWORD, staff.code(clock)).user is not None


def test_session_idle_absolute_and_sign_out(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, staff = console_as(app, services, clock, Role.VIEWER)
    cookie = console.client.get_cookie("teller_staff", path="/admin")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    clock.advance(minutes=14)
    assert console.get("/admin").status_code == 200
    clock.advance(minutes=15, seconds=1)
    assert console.get("/admin").status_code == 302  # idle
    console.sign_in(staff)
    for _ in range(40):  # busy all day: still ends at 8 hours
        clock.advance(minutes=12)
        console.get("/admin")
    assert console.get("/admin").status_code == 302
    console.sign_in(staff)
    token = console.client.get_cookie("teller_staff", path="/admin")
    assert token is not None and token.value != cookie.value  # a new token each sign-in
    out = console.post("/admin/logout")
    assert out.status_code == 302
    assert services.staff.sessions.check(token.value) is None
    assert events(services, "staff.logout")[0]["actor"] == staff.username


def test_disabling_ends_sessions_and_keeps_an_admin(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, staff = console_as(app, services, clock, Role.ADMIN)
    with pytest.raises(StaffProblem):
        services.staff.disable(staff.username, by="x")  # the last admin
    make_staff(services, "second.admin", Role.ADMIN)
    services.staff.disable(staff.username, by="second.admin")
    assert console.get("/admin").status_code == 302


def test_csrf_and_headers(app: Flask, services: Services, clock: FrozenClock) -> None:
    client: FlaskClient = app.test_client()
    page = client.get("/admin/login")
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    refused = client.post("/admin/login", data={"username": "x", "password": "y", "code": "1"})
    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)


def test_menu_shows_only_what_the_role_may_use(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    viewer, _ = console_as(app, services, clock, Role.VIEWER)
    home = viewer.get("/admin").get_data(as_text=True)
    assert "MFA Scenarios" in home and "Audit log" not in home and "Staff" not in home
    auditor, _ = console_as(app, services, clock, Role.AUDITOR)
    assert "Audit log" in auditor.get("/admin").get_data(as_text=True)


def test_no_open_redirect_after_sign_in(app: Flask, services: Services, clock: FrozenClock) -> None:
    staff = make_staff(services, "eve", Role.VIEWER)
    console = ConsoleClient(app.test_client(), clock)
    console.get("/admin/login")
    answer = console.post(
        "/admin/login",
        {
            "username": "eve",
            "password": PASSWORD,
            "code": staff.code(clock),
            "next": "https://evil.example/",
        },
    )
    assert answer.status_code == 302 and answer.location.endswith("/admin")


def test_unknown_console_pages_get_the_consoles_404(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/admin/no-such-screen")
    assert page.status_code == 404 and "Not found" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    api = client.get("/admin/api/v1/no-such-thing", headers={"Authorization": "Bearer x"})
    assert api.status_code in (401, 404) and api.is_json
