"""The admin API with four eyes on: every change (create, edit, activate, deactivate, delete,
the MFA configuration) answers 202 with the pending change and changes nothing yet; a stale
If-Match is still 409 with the current value, an unknown scenario 404, a broken rule 422.
(Four eyes off: the answers of ``test_admin_api*`` are unchanged.)
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app import Config, Services
from auth.scenarios.codec import config_to_dict
from tests.approvals import four_eyes_on
from tests.integration.test_admin_api import API, Admin, new_scenario

INTERBANK = "oob07"
LOGIN = "oob17"


@pytest.fixture
def admin(client: FlaskClient, config: Config, services: Services) -> Admin:
    four_eyes_on(services)
    return Admin(client, config.admin_api_key)


def pending(admin: Admin, method: str, path: str, body: Any = None) -> dict[str, Any]:
    response = admin.call(method, path, body)
    assert response.status_code == 202, response.get_json()
    assert "ETag" not in response.headers
    change: dict[str, Any] = response.get_json()["pending"]
    assert change["status"] == "pending" and change["author"] == "automation:ada.lovelace@bank"
    return change


def test_every_change_is_pending(admin: Admin, services: Services) -> None:
    config = {**config_to_dict(services.scenarios.config()), "code_length": 8}
    cases = [
        ("POST", "/scenarios", new_scenario(), "scenario.create", ""),
        ("PATCH", f"/scenarios/{INTERBANK}", {"description": "Interbank"}, "scenario.update",
         INTERBANK),
        ("POST", f"/scenarios/{LOGIN}/activate", None, "scenario.activate", LOGIN),
        ("POST", f"/scenarios/{INTERBANK}/deactivate", None, "scenario.deactivate", INTERBANK),
        ("DELETE", f"/scenarios/{INTERBANK}", None, "scenario.delete", INTERBANK),
        ("PUT", "/mfa-config", config, "mfa_config.put", ""),
    ]  # fmt: skip
    for method, path, body, kind, target in cases:
        change = pending(admin, method, path, body)
        assert (change["kind"], change["target"]) == (kind, target)
        stored = services.changes.get(change["id"])
        assert stored.after == change["after"]
        if target:
            assert change["base_version"] == 1 and change["before"]["id"] == target
    # Nothing changed yet.
    assert len(services.scenarios.find()) == 21
    assert services.scenarios.get(INTERBANK).version == 1
    assert services.scenarios.config().code_length == 6
    assert len(services.changes.pending()) == 6
    proposed = services.auth.audit.entries(event="change.proposed")
    assert {e.fields["channel"] for e in proposed} == {"api"}


def test_the_reason_header(admin: Admin, services: Services) -> None:
    response = admin.client.post(
        f"{API}/scenarios",
        json=new_scenario(),
        headers={**admin.headers(), "X-Change-Reason": "business bill pay above 500"},
    )
    assert response.status_code == 202
    assert response.get_json()["pending"]["reason"] == "business bill pay above 500"


def test_refusals_keep_their_status(admin: Admin, services: Services) -> None:
    problems = admin.refused("POST", "/scenarios", new_scenario(value_above="-5"))
    assert problems == ["value_above: must be more than 0"]
    assert admin.refused("PATCH", "/scenarios/nope", {"description": "X"}, 404) == []
    stale = admin.call("PATCH", f"/scenarios/{INTERBANK}", {"description": "X"}, if_match='"v9"')
    assert stale.status_code == 409
    assert stale.get_json()["current"]["version"] == 1
    assert stale.headers["ETag"] == '"v1"'
    config = admin.call("PUT", "/mfa-config", config_to_dict(services.scenarios.config()),
                        if_match='"v7"')  # fmt: skip
    assert config.status_code == 409 and config.get_json()["current"]["version"] == 0
    assert services.changes.pending() == []


def test_off_answers_as_before(client: FlaskClient, config: Config, services: Services) -> None:
    admin = Admin(client, config.admin_api_key)
    created = admin.ok("POST", "/scenarios", new_scenario(), 201)
    assert created["created_by"] == "automation:ada.lovelace@bank"
    deleted = admin.call("DELETE", f"/scenarios/{created['id']}")
    assert deleted.status_code == 200 and deleted.get_json()["id"] == created["id"]
    assert services.changes.pending() == []
