"""The admin API with staff's personal tokens, through the real app on the private real Redis:
the owner's current role decides (a viewer reads and asks the dry-run but can't change; an admin
changes, authored and audited as themself), a revoked token, a disabled owner's or an unknown
one gets 401, a demotion applies at the next call, the last use is recorded, and the shared key
still works for automation (as ``automation:<X-Admin-User>``). No token reaches a log.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from admin.staff.roles import Role
from app import DEMO_SEED, Config, Services, build_services, create_app
from tests.conftest import BASE_URL
from tests.console import make_staff
from tests.fakes import FrozenClock
from tests.integration.test_admin_api import new_scenario
from tests.redis_server import RedisServer

API = "/admin/api/v1"
SCENARIO = "oob07"  # INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE
DRY_RUN = {"application": "Retail Banking", "action": "BILL_PAY_CREATE", "amount": "10.00"}


def token_for(services: Services, username: str, role: Role) -> str:
    make_staff(services, username, role)
    _, secret = services.tokens.create(username, "tests", channel="console")
    return secret


def call(
    client: FlaskClient, token: str, method: str, path: str, body: Any = None, **headers: str
) -> TestResponse:
    sent = {"Authorization": f"Bearer {token}", **headers}
    if method in {"PATCH", "PUT", "DELETE"} or path.endswith(("/activate", "/deactivate")):
        resource = path.removesuffix("/activate").removesuffix("/deactivate")
        sent.setdefault(
            "If-Match", client.get(API + resource, headers=sent).headers.get("ETag", '"v1"')
        )
    response = client.open(API + path, method=method, headers=sent, json=body)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response


def test_a_viewer_reads_and_asks_the_dry_run_but_changes_nothing(
    client: FlaskClient, services: Services
) -> None:
    token = token_for(services, "vera", Role.VIEWER)
    before = services.scenarios.get(SCENARIO)

    assert call(client, token, "GET", "/scenarios").get_json()["count"] == 21
    assert call(client, token, "GET", f"/scenarios/{SCENARIO}").status_code == 200
    assert call(client, token, "GET", "/mfa-config").status_code == 200
    assert call(client, token, "POST", "/scenarios/dry-run", DRY_RUN).status_code == 200

    refused = call(client, token, "PATCH", f"/scenarios/{SCENARIO}", {"description": "x"})
    assert refused.status_code == 403
    answer = refused.get_json()
    assert answer["problems"] == []
    assert "viewer" in answer["error"] and "edit_config" in answer["error"]
    assert "admin" in answer["error"]  # who has it
    for method, path in [
        ("POST", f"/scenarios/{SCENARIO}/deactivate"),
        ("DELETE", f"/scenarios/{SCENARIO}"),
        ("POST", "/scenarios"),
        ("PUT", "/mfa-config"),
    ]:
        assert call(client, token, method, path, {}).status_code == 403, (method, path)
    assert services.scenarios.get(SCENARIO) == before
    assert services.auth.audit.entries(event="mfa.scenario.update") == []


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AUDITOR])
def test_other_roles_without_edit_config_are_refused_changes(
    client: FlaskClient, services: Services, role: Role
) -> None:
    token = token_for(services, f"{role.value}.x", role)

    assert call(client, token, "GET", "/scenarios").status_code == 200
    refused = call(client, token, "PATCH", f"/scenarios/{SCENARIO}", {"description": "x"})
    assert refused.status_code == 403 and role.value in refused.get_json()["error"]


def test_an_admin_changes_as_themself(client: FlaskClient, services: Services) -> None:
    token = token_for(services, "grace", Role.ADMIN)

    # X-Admin-User is not read with a personal token: the owner is the actor.
    response = call(
        client,
        token,
        "PATCH",
        f"/scenarios/{SCENARIO}",
        {"description": "Interbank transfer"},
        **{"X-Admin-User": "someone.else"},
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["updated_by"] == "grace"
    [entry] = services.auth.audit.entries(event="mfa.scenario.update")
    assert entry.fields["actor"] == "grace"
    created = call(
        client,
        token,
        "POST",
        "/scenarios",
        new_scenario(),
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["created_by"] == "grace"


def test_a_demotion_applies_at_the_next_call(client: FlaskClient, services: Services) -> None:
    token = token_for(services, "grace", Role.ADMIN)
    make_staff(services, "ada", Role.ADMIN)  # so grace isn't the last admin
    path = f"/scenarios/{SCENARIO}"
    assert call(client, token, "PATCH", path, {"description": "one"}).status_code == 200

    services.staff.set_role("grace", Role.VIEWER, by="ada")

    assert call(client, token, "PATCH", path, {"description": "two"}).status_code == 403
    assert call(client, token, "GET", path).get_json()["description"] == "one"


def test_a_revoked_token_is_401(client: FlaskClient, services: Services) -> None:
    token = token_for(services, "grace", Role.ADMIN)
    assert call(client, token, "GET", "/scenarios").status_code == 200
    [record] = services.tokens.of("grace")

    services.tokens.revoke(record.token_id, services.staff.get("grace"), channel="console")

    response = call(client, token, "GET", "/scenarios")
    assert response.status_code == 401
    assert "revoked" in response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    patched = call(client, token, "PATCH", f"/scenarios/{SCENARIO}", {"description": "x"})
    assert patched.status_code == 401


def test_a_disabled_owner_is_401_until_enabled(client: FlaskClient, services: Services) -> None:
    token = token_for(services, "olu", Role.OPERATOR)
    make_staff(services, "grace", Role.ADMIN)

    services.staff.disable("olu", by="grace")
    response = call(client, token, "GET", "/scenarios")
    assert response.status_code == 401
    assert "owner" in response.get_json()["error"]

    services.staff.enable("olu", by="grace")
    assert call(client, token, "GET", "/scenarios").status_code == 200


def test_unknown_and_malformed_tokens_are_401(client: FlaskClient, services: Services) -> None:
    real = token_for(services, "grace", Role.ADMIN)
    for token in ["tlr_", "tlr_" + "A" * 43, real[:-2], real + "A", "tlr_" + real[4:12] + "=" * 35]:
        response = call(client, token, "GET", "/scenarios")
        assert response.status_code == 401, token
        assert response.get_json()["error"].startswith("missing or wrong API key")


def test_the_last_use_is_recorded(
    client: FlaskClient, services: Services, clock: FrozenClock
) -> None:
    token = token_for(services, "vera", Role.VIEWER)
    [record] = services.tokens.of("vera")
    assert record.last_used_at is None

    call(client, token, "GET", "/scenarios")

    assert services.tokens.get(record.token_id).last_used_at == clock.now
    clock.advance(minutes=5)
    call(client, token, "POST", "/scenarios/dry-run", DRY_RUN)
    assert services.tokens.get(record.token_id).last_used_at == clock.now


def test_the_shared_key_still_works_for_automation(
    client: FlaskClient, services: Services, config: Config
) -> None:
    key = config.admin_api_key
    path = f"/scenarios/{SCENARIO}"

    response = call(
        client, key, "PATCH", path, {"description": "nightly"}, **{"X-Admin-User": "ci"}
    )

    assert response.status_code == 200
    assert response.get_json()["updated_by"] == "automation:ci"
    assert call(client, key, "GET", "/scenarios").status_code == 400  # no X-Admin-User


def test_no_token_reaches_a_log(
    client: FlaskClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    viewer = token_for(services, "vera", Role.VIEWER)
    admin = token_for(services, "grace", Role.ADMIN)

    call(client, viewer, "PATCH", f"/scenarios/{SCENARIO}", {"description": "x"})
    call(client, admin, "GET", "/scenarios")
    call(client, admin[:-1] + "x", "GET", "/scenarios")

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert viewer not in logged and admin not in logged and admin[4:-1] not in logged


def test_a_personal_token_while_redis_is_down_is_503_json(tmp_path: Path) -> None:
    """The check reads Redis: while it is down the answer is the API's 503, not a 401 or a 500,
    and the check works again when Redis is back, with no restart."""
    server = RedisServer().start()
    config = Config(
        redis_url=server.url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )
    services = build_services(config, clock=FrozenClock())
    try:
        client = create_app(services=services).test_client()
        token = token_for(services, "grace", Role.ADMIN)
        server.stop()
        response = call(client, token, "GET", "/scenarios")
        assert response.status_code == 503
        assert "temporarily unavailable" in response.get_json()["error"]
        server.start()  # an empty server (tests keep nothing on disk): the token is gone
        assert call(client, token, "GET", "/scenarios").status_code == 401
    finally:
        services.close()
        server.stop()
