"""``flask --app app admin create-user|reset|unlock|list``: the console's first start and its
recovery at a terminal, as docs/console.md describes them — a set-up link that opens the set-up
page, a bad or taken name refused with the rule, a reset that ends everything the person had
(sessions, the authenticator, their API tokens for good), a lockout lifted; each change audited
with the actor and channel ``cli``, and no link token in the audit."""

from __future__ import annotations

import re

import pyotp
import pytest
from flask import Flask

from admin.staff.accounts import MAX_FAILURES, StaffStatus
from admin.staff.roles import Role
from admin.staff.token_records import TokenRefused
from app import Services
from tests.conftest import BASE_URL
from tests.console import PASSWORD, make_staff

LINK = re.compile(re.escape(BASE_URL) + r"/admin/setup/([A-Za-z0-9_-]{43})")


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["admin", *args])
    return result.exit_code, result.output


def entries(services: Services, event: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(count=100, event=event)]


def test_create_user_prints_a_link_that_opens_the_setup(app: Flask, services: Services) -> None:
    code, out = run(app, "create-user", "Ada.Admin", "--role", "admin")
    assert code == 0, out
    assert out.startswith("ada.admin: admin (change scenarios, MFA configuration")
    found = LINK.search(out)
    assert found is not None, out
    user = services.staff.get("ada.admin")
    assert user is not None and user.role is Role.ADMIN and user.status is StaffStatus.SETUP
    page = app.test_client().get(f"/admin/setup/{found.group(1)}")
    assert page.status_code == 200 and "ada.admin" in page.get_data(as_text=True)
    [created] = entries(services, "staff.created")
    assert (created["actor"], created["channel"], created["target"]) == ("cli", "cli", "ada.admin")
    assert created["role"] == "admin"
    everything = str([e.fields for e in services.auth.audit.entries(count=100)])
    assert found.group(1) not in everything


def test_a_bad_or_taken_name_is_refused_with_the_rule(app: Flask, services: Services) -> None:
    code, out = run(app, "create-user", "x", "--role", "viewer")
    assert code != 0 and "username: 3-32 lower-case letters" in out
    assert run(app, "create-user", "vera", "--role", "viewer")[0] == 0
    code, out = run(app, "create-user", "vera", "--role", "admin")
    assert code != 0 and "is taken" in out
    assert services.staff.get("vera").role is Role.VIEWER
    code, out = run(app, "create-user", "olu", "--role", "superuser")
    assert code != 0 and services.staff.get("olu") is None
    assert len(entries(services, "staff.created")) == 1


def test_reset_ends_the_sessions_and_revokes_the_tokens_for_good(
    app: Flask, services: Services
) -> None:
    make_staff(services, "olu", Role.OPERATOR)
    session = services.staff.sessions.start("olu")
    record, secret = services.tokens.create("olu", "nightly", channel="console")

    code, out = run(app, "reset", "olu")
    assert code == 0, out
    assert "olu: 1 API token(s) revoked" in out
    found = LINK.search(out)
    assert found is not None
    assert services.staff.get("olu").status is StaffStatus.SETUP
    assert services.staff.sessions.check(session) is None
    assert not services.tokens.get(record.token_id).active
    [revoked] = entries(services, "staff.token_revoked")
    assert (revoked["actor"], revoked["channel"], revoked["token_id"]) == (
        "cli",
        "cli",
        record.token_id,
    )
    assert entries(services, "staff.reset")[0]["actor"] == "cli"

    # Set up again with the new link: the old token stays refused.
    token = found.group(1)
    assert services.staff.choose_password(token, PASSWORD, PASSWORD) == []
    again = pyotp.TOTP(services.staff.pending_secret("olu"))
    assert services.staff.confirm_authenticator(token, again.at(services.clock())) is not None
    assert services.staff.get("olu").active
    with pytest.raises(TokenRefused):
        services.tokens.authenticate(secret)


def test_reset_of_an_unknown_user_says_so(app: Flask) -> None:
    code, out = run(app, "reset", "nobody")
    assert code != 0 and "no staff user 'nobody'" in out


def test_unlock_lifts_a_sign_in_lockout(app: Flask, services: Services) -> None:
    make_staff(services, "grace", Role.ADMIN)
    for _ in range(MAX_FAILURES):
        services.staff.sign_in("grace", "wrong password", "000000")
    assert services.staff.locked_until("grace") is not None

    code, out = run(app, "unlock", "grace")
    assert code == 0 and "grace: sign-in lockout lifted" in out
    assert services.staff.locked_until("grace") is None
    assert entries(services, "staff.unlocked")[0]["target"] == "grace"


def test_list_shows_who_has_access(app: Flask, services: Services) -> None:
    code, out = run(app, "list")
    assert code == 0 and "no staff accounts yet: flask --app app admin create-user" in out
    make_staff(services, "grace", Role.ADMIN)
    run(app, "create-user", "olu", "--role", "operator")
    code, out = run(app, "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].split()[:3] == ["grace", "admin", "active"]
    assert lines[1].split()[:3] == ["olu", "operator", "setup"]
