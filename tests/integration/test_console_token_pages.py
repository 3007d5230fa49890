"""The console's *API tokens* page through the real app: any signed-in role lists, creates (the
token shown once, then only its id) and revokes its own tokens; a bad name is refused beside
its field with nothing stored; someone else's token can't be revoked from here; CSRF-less posts
change nothing; the page is no-store."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from admin.staff.roles import Role
from app import Services
from auth.stores.audit import AuditLog
from tests.console import console_as, make_staff
from tests.fakes import FrozenClock

TOKEN = re.compile(r'id="new-token"[^>]*value="(tlr_[A-Za-z0-9_-]{43})"')


def events(services: Services, name: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in AuditLog(services.redis).entries(count=200, event=name)]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_creates_sees_once_and_revokes_its_own_token(
    app: Flask, services: Services, clock: FrozenClock, role: Role
) -> None:
    console, staff = console_as(app, services, clock, role)
    empty = console.get("/admin/tokens")
    assert empty.status_code == 200 and "no tokens yet" in empty.get_data(as_text=True)
    assert empty.headers["Cache-Control"] == "no-store"

    created = console.post("/admin/tokens", {"name": "nightly export"})

    assert created.status_code == 200
    html = created.get_data(as_text=True)
    found = TOKEN.search(html)
    assert found, html
    secret = found.group(1)
    assert "won't be shown again" in html
    [token] = services.tokens.of(staff.username)
    assert token.name == "nightly export" and token.token_id == secret[4:12]
    listing = console.get("/admin/tokens").get_data(as_text=True)
    assert token.token_id in listing and "nightly export" in listing
    assert secret not in listing  # shown once only
    [entry] = events(services, "staff.token_created")
    assert entry["actor"] == staff.username and entry["channel"] == "console"

    revoked = console.post(f"/admin/tokens/{token.token_id}/revoke")

    assert revoked.status_code == 302
    assert not services.tokens.get(token.token_id).active
    after = console.get("/admin/tokens").get_data(as_text=True)
    assert "revoked" in after and "calls with it now get 401" in after
    assert events(services, "staff.token_revoked")[0]["actor"] == staff.username


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_bad_name_is_shown_beside_its_field_and_nothing_is_stored(
    app: Flask, services: Services, clock: FrozenClock, name: str
) -> None:
    console, staff = console_as(app, services, clock, Role.VIEWER)

    refused = console.post("/admin/tokens", {"name": name})

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="name-errors"' in html and "1-60 characters" in html
    assert 'aria-invalid="true"' in html
    assert services.tokens.of(staff.username) == []
    assert events(services, "staff.token_created") == []


def test_a_duplicate_name_is_refused(app: Flask, services: Services, clock: FrozenClock) -> None:
    console, staff = console_as(app, services, clock, Role.OPERATOR)
    console.post("/admin/tokens", {"name": "ci"})

    refused = console.post("/admin/tokens", {"name": "CI"})

    assert refused.status_code == 422
    assert "already have a token with this name" in refused.get_data(as_text=True)
    assert len(services.tokens.of(staff.username)) == 1


def test_someone_elses_token_cant_be_revoked_here(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    make_staff(services, "grace", Role.ADMIN)
    theirs, _ = services.tokens.create("grace", "hers", channel="console")
    console, _ = console_as(app, services, clock, Role.ADMIN, "ada")

    answer = console.post(f"/admin/tokens/{theirs.token_id}/revoke")

    assert answer.status_code == 404
    assert services.tokens.get(theirs.token_id).active
    assert console.post("/admin/tokens/nosuchid/revoke").status_code == 404


def test_posts_without_csrf_change_nothing(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    console, staff = console_as(app, services, clock, Role.VIEWER)
    token, _ = services.tokens.create(staff.username, "ci", channel="console")

    created = console.client.post("/admin/tokens", data={"name": "sneaky"})
    revoked = console.client.post(f"/admin/tokens/{token.token_id}/revoke")

    assert created.status_code == 400 and revoked.status_code == 400
    assert [t.name for t in services.tokens.of(staff.username)] == ["ci"]
    assert services.tokens.get(token.token_id).active


def test_signed_out_the_page_asks_to_sign_in(app: Flask) -> None:
    answer = app.test_client().get("/admin/tokens")
    assert answer.status_code == 302 and "/admin/login" in answer.location
