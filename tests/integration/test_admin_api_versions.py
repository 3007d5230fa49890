"""The admin API's updates carry the version they read: ETags on every answer that returns a
scenario or the MFA configuration, 428 without ``If-Match``, 400 for one that names no version,
409 with the current resource for a stale one (nothing changed, nothing audited), two staff
racing from the same read (exactly one wins), ``status`` refused by an edit, and the shared
key's changes authored and audited as ``automation:<X-Admin-User>``. Real app, real Redis.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import Config, Services
from auth.scenarios.service import STATUS_BY_EDIT
from auth.scenarios.store import ScenarioStore, Stale
from tests.fakes import FrozenClock
from tests.integration.test_admin_api import API, INTERBANK, OWN_ACCOUNTS, Admin


@pytest.fixture
def admin(client: FlaskClient, config: Config) -> Admin:
    return Admin(client, config.admin_api_key)


LOGIN = "oob17"  # LOGIN: ships inactive
UPDATES = [
    ("PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"value_above": "2000.00"}),
    ("POST", f"/scenarios/{OWN_ACCOUNTS}/deactivate", None),
    ("POST", f"/scenarios/{LOGIN}/activate", None),
    ("DELETE", f"/scenarios/{OWN_ACCOUNTS}", None),
]


def mfa_changes(services: Services) -> list[Mapping[str, str]]:
    return [
        e.fields for e in services.scenarios.audit.entries() if e.fields["event"].startswith("mfa.")
    ]


def config_body(admin: Admin, **changes: Any) -> dict[str, Any]:
    current: dict[str, Any] = admin.ok("GET", "/mfa-config")
    return {**current, **changes}


def test_get_gives_the_version_and_its_etag(admin: Admin) -> None:
    response = admin.call("GET", f"/scenarios/{OWN_ACCOUNTS}")
    assert response.get_json()["version"] == 1
    assert response.headers["ETag"] == '"v1"'
    changed = admin.call("PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"value_above": "1500.00"})
    assert changed.get_json()["version"] == 2 and changed.headers["ETag"] == '"v2"'
    deactivated = admin.call("POST", f"/scenarios/{OWN_ACCOUNTS}/deactivate")
    assert deactivated.headers["ETag"] == '"v3"'
    assert admin.call("GET", f"/scenarios/{OWN_ACCOUNTS}").headers["ETag"] == '"v3"'
    config = admin.call("GET", "/mfa-config")
    assert config.headers["ETag"] == '"v0"' and config.get_json()["version"] == 0


@pytest.mark.parametrize(("method", "path", "body"), UPDATES)
def test_an_update_without_if_match_is_428_and_changes_nothing(
    admin: Admin, services: Services, method: str, path: str, body: Any
) -> None:
    before = admin.ok("GET", "/scenarios")
    response = admin.call(method, path, body, if_match=None)
    assert response.status_code == 428
    assert response.get_json()["error"].startswith("If-Match required")
    assert admin.ok("GET", "/scenarios") == before
    assert mfa_changes(services) == []


def test_a_config_put_without_if_match_is_428(admin: Admin) -> None:
    response = admin.call("PUT", "/mfa-config", config_body(admin, max_attempts=3), if_match=None)
    assert response.status_code == 428
    assert admin.ok("GET", "/mfa-config")["max_attempts"] == 5


@pytest.mark.parametrize("if_match", ["*", 'W/"v1"', '"1"', "v1", '"v1", "v2"', '"v-1"', '"v1x"'])
def test_an_if_match_that_names_no_version_is_400(admin: Admin, if_match: str) -> None:
    for method, path, body in [*UPDATES, ("PUT", "/mfa-config", config_body(admin))]:
        response = admin.call(method, path, body, if_match=if_match)
        assert response.status_code == 400, (method, path, if_match)
        assert response.get_json()["problems"][0].startswith("If-Match: the ETag a GET returned")


def test_a_body_version_must_agree_with_if_match(admin: Admin) -> None:
    body = {"value_above": "2000.00", "version": 7}
    response = admin.call("PATCH", f"/scenarios/{OWN_ACCOUNTS}", body, if_match='"v1"')
    assert response.status_code == 400
    assert response.get_json()["problems"][0].startswith("version: differs from If-Match")
    # Echoed as read, it is fine (and not a field of the scenario).
    body["version"] = 1
    assert admin.ok("PATCH", f"/scenarios/{OWN_ACCOUNTS}", body)["value_above"] == "2000.00"


@pytest.mark.parametrize(("method", "path", "body"), UPDATES)
def test_a_stale_update_is_409_with_the_current_scenario(
    admin: Admin, services: Services, method: str, path: str, body: Any
) -> None:
    scenario = path.split("/")[2]
    read = admin.call("GET", f"/scenarios/{scenario}").headers["ETag"]
    admin.staff = "grace"  # someone else changes it meanwhile
    admin.ok("PATCH", f"/scenarios/{scenario}", {"description": "Changed by Grace"})
    current = admin.ok("GET", f"/scenarios/{scenario}")
    audited = len(mfa_changes(services))

    admin.staff = "ada"
    response = admin.call(method, path, body, if_match=read)
    assert response.status_code == 409
    answer = response.get_json()
    assert set(answer) == {"error", "problems", "current"}
    assert answer["error"].startswith("changed since you read it: version 2 is current")
    assert answer["current"] == current
    assert response.headers["ETag"] == '"v2"'
    assert admin.ok("GET", f"/scenarios/{scenario}") == current  # nothing changed
    assert len(mfa_changes(services)) == audited  # nothing audited
    # Redone on what is current, it goes through.
    assert admin.call(method, path, body, if_match='"v2"').status_code == 200


def test_a_stale_config_put_is_409_with_the_current_configuration(admin: Admin) -> None:
    read = admin.ok("GET", "/mfa-config")
    admin.ok("PUT", "/mfa-config", {**read, "code_length": 8})
    response = admin.call("PUT", "/mfa-config", {**read, "max_attempts": 3}, if_match='"v0"')
    assert response.status_code == 409
    assert response.get_json()["current"] == {**read, "code_length": 8, "version": 1}
    assert admin.ok("GET", "/mfa-config")["max_attempts"] == 5


# --- two staff from the same read ---


def race(app: Flask, config: Config, calls: list[tuple[str, str, Any, str]]) -> list[TestResponse]:
    """Send every call at once, each from its own client (its own staff member)."""
    start = threading.Barrier(len(calls))

    def send(n: int) -> TestResponse:
        method, path, body, if_match = calls[n]
        headers = {
            "Authorization": f"Bearer {config.admin_api_key}",
            "X-Admin-User": f"staff{n}",
            "If-Match": if_match,
        }
        client = app.test_client()
        start.wait()
        return client.open(API + path, method=method, json=body, headers=headers)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, range(len(calls))))


@pytest.mark.parametrize("round_", range(5))
def test_two_staff_patching_from_one_read_exactly_one_wins(
    admin: Admin, app: Flask, config: Config, services: Services, round_: int
) -> None:
    read = admin.call("GET", f"/scenarios/{OWN_ACCOUNTS}").headers["ETag"]
    path = f"/scenarios/{OWN_ACCOUNTS}"
    answers = race(
        app,
        config,
        [
            ("PATCH", path, {"value_above": "1111.00"}, read),
            ("PATCH", path, {"value_above": "2222.00"}, read),
        ],
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    won = next(a.get_json() for a in answers if a.status_code == 200)
    lost = next(a.get_json() for a in answers if a.status_code == 409)
    assert lost["current"] == won == admin.ok("GET", path)
    assert won["version"] == 2
    updates = [e for e in mfa_changes(services) if e["event"] == "mfa.scenario.update"]
    assert [e["actor"] for e in updates] == [won["updated_by"]]


def test_an_edit_and_a_deactivate_from_one_read_exactly_one_wins(
    admin: Admin, app: Flask, config: Config
) -> None:
    path = f"/scenarios/{INTERBANK}"
    read = admin.call("GET", path).headers["ETag"]
    answers = race(
        app,
        config,
        [
            ("PATCH", path, {"description": "Renamed in the race"}, read),
            ("POST", f"{path}/deactivate", None, read),
        ],
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert admin.ok("GET", path)["version"] == 2


def test_two_config_puts_from_one_read_exactly_one_wins(
    admin: Admin, app: Flask, config: Config
) -> None:
    read = admin.call("GET", "/mfa-config")
    body = read.get_json()
    answers = race(
        app,
        config,
        [
            ("PUT", "/mfa-config", {**body, "max_attempts": 3}, read.headers["ETag"]),
            ("PUT", "/mfa-config", {**body, "max_attempts": 4}, read.headers["ETag"]),
        ],
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert admin.ok("GET", "/mfa-config")["version"] == 1


def test_the_store_rechecks_the_version_inside_its_transaction(
    services: Services, clock: FrozenClock
) -> None:
    """A write that lands between the store's read and its commit: the commit fails on WATCH,
    the retry sees the new version, and the slower change is refused (no lost update)."""
    store: ScenarioStore = services.scenarios.store
    other = ScenarioStore(services.scenarios.store.redis)
    interfered: list[bool] = []

    def change_meanwhile(old: Any) -> Any:
        if not interfered:  # only on the first pass: another writer commits now
            interfered.append(True)
            other.set_status(OWN_ACCOUNTS, old.spec.status, "grace", clock(), expected=1)
        return old

    with pytest.raises(Stale) as refused:
        store._write(OWN_ACCOUNTS, change_meanwhile, expected=1)  # the seam between read and write
    assert refused.value.version == 2
    assert store.get(OWN_ACCOUNTS).updated_by == "grace"


# --- status only through activate and deactivate ---


@pytest.mark.parametrize("status", [None, "active", "inactive", "paused", ""])
def test_an_edit_cannot_change_status(admin: Admin, services: Services, status: Any) -> None:
    before = admin.ok("GET", f"/scenarios/{LOGIN}")
    assert before["status"] == "inactive"
    problems = admin.refused("PATCH", f"/scenarios/{LOGIN}", {"status": status})
    assert problems == [STATUS_BY_EDIT]
    assert problems[0].startswith("status:") and "/activate or /deactivate" in problems[0]
    with_others = {"description": "Login again", "status": status}
    assert admin.refused("PATCH", f"/scenarios/{LOGIN}", with_others) == [STATUS_BY_EDIT]
    assert admin.ok("GET", f"/scenarios/{LOGIN}") == before  # still inactive, same version
    assert mfa_changes(services) == []
    # The way that does change it.
    assert admin.ok("POST", f"/scenarios/{LOGIN}/activate")["status"] == "active"


# --- the shared key is automation ---


def test_the_shared_keys_changes_are_automation(admin: Admin, services: Services) -> None:
    admin.staff = "deploy-bot"
    changed = admin.ok("PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"value_above": "3000.00"})
    assert changed["updated_by"] == "automation:deploy-bot"
    assert changed["created_by"] == "system"
    admin.ok("PUT", "/mfa-config", config_body(admin, max_attempts=4))
    actors = [(e["event"], e["actor"]) for e in mfa_changes(services)]
    assert actors == [
        ("mfa.config.update", "automation:deploy-bot"),
        ("mfa.scenario.update", "automation:deploy-bot"),
    ]
