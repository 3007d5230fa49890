"""The admin JSON API through the real app on the private real Redis: the guard (401 without the
key, 400 without a staff member), list filters and search, create with every problem reported,
duplicates, edit, activate and deactivate, delete, the dry-run, the MFA configuration and its
bounds, JSON errors everywhere (503 while Redis is down), and every change in the audit stream
with who made it (the shared key's as ``automation:<X-Admin-User>``), before and after.

Updates carry the version they read (``If-Match``): the ``Admin`` helper sends the current ETag
unless a test says otherwise; the precondition's own tests are in ``test_admin_api_versions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import DEMO_SEED, Config, Services, build_services, create_app
from tests.conftest import BASE_URL
from tests.fakes import FrozenClock
from tests.redis_server import RedisServer

API = "/admin/api/v1"
STAFF = "ada.lovelace@bank"
AUTOMATED = f"automation:{STAFF}"  # the shared key's changes, as authored and audited
# Say "send the ETag the resource has now" (the helper GETs it first).
CURRENT = "current"
OWN_ACCOUNTS = "oob16"  # TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE: challenged above 1000.00
INTERBANK = "oob07"  # INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE: always challenged


@dataclass
class Admin:
    """The admin API as staff call it: the key, a staff member, JSON in and out."""

    client: FlaskClient
    key: str
    staff: str = STAFF

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", "X-Admin-User": self.staff}

    def etag(self, path: str) -> str:
        """The ETag of the resource ``path`` updates, as a GET returns it now (a made-up one for
        a resource that can't be read, so the answer is about the resource, not the header)."""
        resource = path.removesuffix("/activate").removesuffix("/deactivate")
        response = self.client.get(API + resource, headers=self.headers())
        return response.headers.get("ETag", '"v1"') if response.status_code == 200 else '"v1"'

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        if_match: str | None = CURRENT,
        **kwargs: Any,
    ) -> TestResponse:
        headers = self.headers()
        if if_match is not None and is_update(method, path):
            headers["If-Match"] = self.etag(path) if if_match == CURRENT else if_match
        if body is not None:
            kwargs["json"] = body
        response = self.client.open(API + path, method=method, headers=headers, **kwargs)
        assert response.mimetype == "application/json", response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"
        return response

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, body)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def refused(self, method: str, path: str, body: Any = None, status: int = 422) -> list[str]:
        response = self.call(method, path, body)
        assert response.status_code == status, response.get_json()
        answer = response.get_json()
        assert set(answer) == {"error", "problems"}
        assert isinstance(answer["error"], str) and answer["error"]
        problems: list[str] = answer["problems"]
        return problems


def is_update(method: str, path: str) -> bool:
    """The requests that must name the version they read."""
    if method in ("PATCH", "PUT", "DELETE"):
        return True
    return method == "POST" and path.endswith(("/activate", "/deactivate"))


@pytest.fixture
def admin(client: FlaskClient, config: Config) -> Admin:
    return Admin(client, config.admin_api_key)


def new_scenario(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application": "Business Banking",
        "action": "BILL_PAY_CREATE",
        "scenario_type": "monetary",
        "frequency": "value_based",
        "value_above": "500.00",
        "description": "Business bill pay",
        "primary_challenge": "authenticator_app",
        "backup_challenge": "security_questions",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- the guard ---

ROUTES = [
    ("GET", "/scenarios"),
    ("POST", "/scenarios"),
    ("GET", f"/scenarios/{INTERBANK}"),
    ("PATCH", f"/scenarios/{INTERBANK}"),
    ("DELETE", f"/scenarios/{INTERBANK}"),
    ("POST", f"/scenarios/{INTERBANK}/activate"),
    ("POST", f"/scenarios/{INTERBANK}/deactivate"),
    ("POST", "/scenarios/dry-run"),
    ("GET", "/mfa-config"),
    ("PUT", "/mfa-config"),
]
WRONG_KEYS = [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer wrong-key",
    "Basic YWRtaW46a2V5",
    "Token KEY",
    "Bearer KEYx",
    "Bearer AUTH",  # the token-check service's key opens nothing here
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_401_without_the_right_key(
    client: FlaskClient, config: Config, services: Services, method: str, path: str
) -> None:
    for authorization in WRONG_KEYS:
        headers = {"X-Admin-User": STAFF}
        if authorization is not None:
            headers["Authorization"] = authorization.replace("KEY", config.admin_api_key).replace(
                "AUTH", config.auth_api_key
            )
        response = client.open(API + path, method=method, headers=headers, json=new_scenario())
        assert response.status_code == 401, (method, path, authorization)
        assert response.mimetype == "application/json"
        assert response.get_json()["error"].startswith("missing or wrong API key")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.headers["Cache-Control"] == "no-store"
    # Nothing changed.
    assert len(services.scenarios.find()) == 21
    assert services.scenarios.audit.entries(event="mfa.scenario.delete") == []


def test_a_key_that_only_starts_right_is_wrong(client: FlaskClient, config: Config) -> None:
    for key in (config.admin_api_key[:-1], config.admin_api_key[1:], config.admin_api_key * 2):
        headers = {"Authorization": f"Bearer {key}", "X-Admin-User": STAFF}
        assert client.get(f"{API}/scenarios", headers=headers).status_code == 401


def test_401_comes_before_the_staff_header_and_the_body(client: FlaskClient) -> None:
    response = client.post(f"{API}/scenarios", data="not json", content_type="text/plain")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "staff",
    [None, "", " ", "ada lovelace", "ada;drop", "ädä", "a" * 65, "ada\t", "<script>", "a/b"],
)
def test_400_without_a_valid_staff_member(
    client: FlaskClient, config: Config, staff: str | None
) -> None:
    headers = {"Authorization": f"Bearer {config.admin_api_key}"}
    if staff is not None:
        headers["X-Admin-User"] = staff
    for method, path in ROUTES:
        response = client.open(API + path, method=method, headers=headers, json=new_scenario())
        assert response.status_code == 400, (method, path)
        assert response.get_json()["problems"][0].startswith("X-Admin-User: required")


def test_every_allowed_staff_name(admin: Admin) -> None:
    for staff in ("a", "A" * 64, "ada.lovelace", "ada_l-9", "ada@bank.example"):
        admin.staff = staff
        assert admin.ok("GET", "/scenarios")["count"] == 21


# --- listing, filters, search ---


def test_list_everything(admin: Admin) -> None:
    answer = admin.ok("GET", "/scenarios")
    assert answer["count"] == len(answer["scenarios"]) == 21
    first = answer["scenarios"][0]
    assert set(first) >= {"id", "application", "action", "description", "status", "created_by"}
    assert {s["created_by"] for s in answer["scenarios"]} == {"system"}


def test_filters_and_search(admin: Admin) -> None:
    def ids(query: str) -> list[str]:
        return [s["id"] for s in admin.ok("GET", f"/scenarios{query}")["scenarios"]]

    assert len(ids("?application=Retail%20Banking")) == 21
    assert ids("?application=Business%20Banking") == []
    created = admin.ok("POST", "/scenarios", new_scenario(), status=201)
    assert ids("?application=Business+Banking") == [created["id"]]
    assert ids("?status=inactive") == ["oob17"]  # LOGIN ships inactive
    assert len(ids("?status=active")) == 21
    assert len(ids("?q=card_management")) == 6  # by action
    assert ids("?q=INTERBANK") == [INTERBANK]  # by description, any case
    assert ids("?q=bill%20pay&application=Business%20Banking&status=active") == [created["id"]]
    assert ids("?q=nothing-like-this") == []
    assert len(ids("?application=&status=&q=")) == 22  # empty means all


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?application=Wealth", "application: one of: Retail Banking, Business Banking"),
        ("?application=retail%20banking", "application: one of: "),
        ("?status=paused", "status: one of: active, inactive"),
        ("?status=active&status=inactive", "status: give it once"),
        ("?app=Retail%20Banking", "app: unknown query parameter; use application, status, q"),
        ("?q=" + "x" * 101, "q: at most 100 characters"),
    ],
)
def test_bad_filters_are_400(admin: Admin, query: str, problem: str) -> None:
    problems = admin.refused("GET", f"/scenarios{query}", status=400)
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_get_one_and_404(admin: Admin) -> None:
    got = admin.ok("GET", f"/scenarios/{INTERBANK}")
    assert got["action"] == "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"
    assert got["frequency"] == "always" and got["value_above"] is None
    assert admin.refused("GET", "/scenarios/nope", status=404) == []
    assert admin.call("GET", "/scenarios/nope").get_json()["error"] == "no scenario with id 'nope'"


# --- create ---


def test_create_is_201_with_a_location(admin: Admin, clock: FrozenClock) -> None:
    response = admin.call("POST", "/scenarios", new_scenario())
    assert response.status_code == 201
    created = response.get_json()
    assert response.headers["Location"] == f"{API}/scenarios/{created['id']}"
    assert created["created_by"] == created["updated_by"] == AUTOMATED
    assert created["version"] == 1 and response.headers["ETag"] == '"v1"'
    assert created["created_at"] == created["updated_at"] == clock.now.isoformat()
    assert created["status"] == "active" and created["value_above"] == "500.00"
    assert admin.ok("GET", f"/scenarios/{created['id']}") == created


def test_every_problem_is_returned(admin: Admin) -> None:
    problems = admin.refused("POST", "/scenarios", {})
    assert [p.split(":")[0] for p in problems] == [
        "application",
        "action",
        "scenario_type",
        "description",
        "primary_challenge",
        "backup_challenge",
    ]
    bad = new_scenario(
        application="Wealth",
        value_above="0",
        description="Bill pay!",
        backup_challenge="authenticator_app",
        primary_challenge="authenticator_app",
        sms_template="{otp.__class__}",
        colour="red",
    )
    problems = admin.refused("POST", "/scenarios", bad)
    assert sorted(p.split(":")[0] for p in problems) == [
        "application",
        "backup_challenge",
        "colour",
        "description",
        "sms_template",
        "value_above",
    ]
    assert "value_above: must be more than 0" in problems
    assert admin.ok("GET", "/scenarios")["count"] == 21


def test_a_code_challenge_needs_its_template(admin: Admin) -> None:
    body = new_scenario(primary_challenge="sms_code")
    assert admin.refused("POST", "/scenarios", body) == [
        "sms_template: required when its code channel is a challenge type"
    ]
    body["sms_template"] = "{otp} sends {transfer_amount} to {payee_name} from {account_number}"
    assert admin.ok("POST", "/scenarios", body, status=201)["sms_template"] == body["sms_template"]


def test_duplicates_are_422(admin: Admin) -> None:
    seeded_bill_pay = new_scenario(application="Retail Banking", description="Other bill pay")
    assert admin.refused("POST", "/scenarios", seeded_bill_pay) == [
        "action: Retail Banking already has a scenario for BILL_PAY_CREATE"
        " (Retail Banking Bill Pay)"
    ]
    same_words = new_scenario(description="  INTERBANK   transfer ")
    assert admin.refused("POST", "/scenarios", same_words) == [
        "description: another scenario already has this description"
    ]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("not json", "text/plain"),
        ("application=Retail+Banking", "application/x-www-form-urlencoded"),
        ('{"application": ', "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"Retail Banking"', "application/json"),
        ("null", "application/json"),
        ("42", "application/json"),
        (json.dumps(new_scenario()), "text/plain"),
    ],
)
def test_an_unreadable_body_is_400(
    client: FlaskClient, config: Config, data: str, content_type: str
) -> None:
    headers = {"Authorization": f"Bearer {config.admin_api_key}", "X-Admin-User": STAFF}
    for method, path in [
        ("POST", "/scenarios"),
        ("PATCH", f"/scenarios/{INTERBANK}"),
        ("POST", "/scenarios/dry-run"),
        ("PUT", "/mfa-config"),
    ]:
        response = client.open(
            API + path, method=method, data=data, content_type=content_type, headers=headers
        )
        assert response.status_code == 400, (method, path)
        assert response.mimetype == "application/json"
        assert response.get_json()["problems"] == [
            "body: must be a JSON object (Content-Type: application/json)"
        ]


def test_a_body_too_large_is_413_json(admin: Admin) -> None:
    response = admin.call("POST", "/scenarios", new_scenario(description="x" * 70_000))
    assert response.status_code == 413
    assert set(response.get_json()) == {"error", "problems"}


# --- update, activate, deactivate, delete ---


def test_update_changes_only_what_is_given(admin: Admin, clock: FrozenClock) -> None:
    clock.advance(minutes=5)
    admin.staff = "grace"
    updated = admin.ok("PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"value_above": "2500.50"})
    assert updated["value_above"] == "2500.50"
    assert updated["updated_by"] == "automation:grace"
    assert updated["updated_at"] == clock.now.isoformat()
    assert updated["version"] == 2
    assert updated["created_by"] == "system"
    assert updated["description"] == "Create Internal Transfer"
    assert admin.ok("GET", f"/scenarios/{OWN_ACCOUNTS}") == updated


def test_update_is_checked_as_a_whole(admin: Admin) -> None:
    before = admin.ok("GET", f"/scenarios/{OWN_ACCOUNTS}")
    assert admin.refused("PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"frequency": "always"}) == [
        "value_above: only for value_based frequency"
    ]
    problems = admin.refused(
        "PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"value_above": "1.001", "sms_template": "hi"}
    )
    assert problems == [
        "value_above: at most 2 decimal places",
        "sms_template: must include {otp}, {transfer_amount}, {payee_name}",
    ]
    # An update into another scenario's application and action is a duplicate.
    clash = admin.refused("PATCH", f"/scenarios/{OWN_ACCOUNTS}", {"action": "P2P_CREATE"})
    assert clash[0].startswith("action: Retail Banking already has a scenario for P2P_CREATE")
    assert admin.ok("GET", f"/scenarios/{OWN_ACCOUNTS}") == before
    always = {"frequency": "always", "value_above": None}
    assert admin.ok("PATCH", f"/scenarios/{OWN_ACCOUNTS}", always)["value_above"] is None
    assert admin.refused("PATCH", "/scenarios/nope", {"value_above": "1.00"}, status=404) == []


def test_deactivate_and_activate(admin: Admin) -> None:
    assert admin.ok("POST", f"/scenarios/{INTERBANK}/deactivate")["status"] == "inactive"
    assert admin.ok("GET", f"/scenarios/{INTERBANK}")["status"] == "inactive"
    # An inactive scenario no longer decides: the default challenge does.
    question = {
        "application": "Retail Banking",
        "action": "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE",
    }
    dry = admin.ok("POST", "/scenarios/dry-run", question)
    assert dry["required"] and dry["scenario"] is None
    assert dry["reason"].startswith("no active scenario")
    assert admin.ok("POST", f"/scenarios/{INTERBANK}/activate")["status"] == "active"
    assert admin.ok("POST", "/scenarios/dry-run", question)["scenario"]["id"] == INTERBANK
    for verb in ("activate", "deactivate"):
        assert admin.refused("POST", f"/scenarios/nope/{verb}", status=404) == []


def test_delete_then_404(admin: Admin) -> None:
    before = admin.ok("GET", f"/scenarios/{INTERBANK}")
    assert admin.ok("DELETE", f"/scenarios/{INTERBANK}") == before
    assert admin.refused("GET", f"/scenarios/{INTERBANK}", status=404) == []
    assert admin.refused("DELETE", f"/scenarios/{INTERBANK}", status=404) == []
    assert admin.ok("GET", "/scenarios")["count"] == 20
    # Its application and action are free again.
    again = {**before, "description": "Interbank again"}
    for field in ("id", "created_by", "created_at", "updated_by", "updated_at", "version"):
        again.pop(field)
    assert admin.ok("POST", "/scenarios", again, status=201)["created_by"] == AUTOMATED


# --- the dry-run ---


def dry_run(admin: Admin, **fields: Any) -> dict[str, Any]:
    body = {"application": "Retail Banking", "action": "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE"}
    body.update(fields)
    answer: dict[str, Any] = admin.ok("POST", "/scenarios/dry-run", body)
    assert set(answer) == {
        "required",
        "challenge",
        "options",
        "unavailable",
        "scenario",
        "reason",
    }
    return answer


def test_dry_run_at_the_threshold(admin: Admin) -> None:
    rule = {"id": OWN_ACCOUNTS, "description": "Create Internal Transfer"}
    assert dry_run(admin, amount="1000.00") == {
        "required": False,
        "challenge": None,
        "options": [],
        "unavailable": False,
        "scenario": rule,
        "reason": "1000.00 is not more than 1000.00",
    }
    assert dry_run(admin, amount="1000.01") == {
        "required": True,
        "challenge": "sms_code",
        "options": ["sms_code", "email_code"],
        "unavailable": False,
        "scenario": rule,
        "reason": "1000.01 is more than 1000.00",
    }
    assert not dry_run(admin, amount="999.99")["required"]
    assert dry_run(admin)["required"]  # no amount: over any threshold


def test_dry_run_with_enrolled_types(admin: Admin) -> None:
    backup = dry_run(admin, amount="5000", enrolled=["email_code"])
    assert backup["challenge"] == "email_code" and backup["options"] == ["email_code"]
    nothing = dry_run(admin, amount="5000", enrolled=[])
    assert nothing["required"] and nothing["unavailable"] and nothing["challenge"] is None


def test_dry_run_without_a_scenario_uses_the_default(admin: Admin) -> None:
    answer = dry_run(admin, application="Consumer Lending", amount="1.00")
    assert answer["required"] and answer["scenario"] is None
    assert answer["challenge"] == "sms_code"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"application": "Wealth"}, "application: required, one of: "),
        ({"action": "TELEPORT"}, "action: required, one of the catalogue's actions"),
        ({"amount": "1e3"}, "amount: a decimal string more than 0 with at most 2 decimals"),
        ({"amount": "0"}, "amount: a decimal string more than 0"),
        ({"amount": "-5.00"}, "amount: a decimal string more than 0"),
        ({"amount": "1.005"}, "amount: a decimal string more than 0"),
        ({"amount": 10.5}, "amount: a decimal string more than 0"),
        ({"enrolled": "sms_code"}, "enrolled: a list from: sms_code, email_code"),
        ({"enrolled": ["sms_code", "pigeon"]}, "enrolled: a list from: "),
        ({"force": True}, "force: unknown field"),
    ],
)
def test_dry_run_refuses_bad_questions(admin: Admin, fields: dict[str, Any], problem: str) -> None:
    body = {"application": "Retail Banking", "action": "P2P_CREATE", **fields}
    problems = admin.refused("POST", "/scenarios/dry-run", body)
    assert len(problems) == 1 and problems[0].startswith(problem)


# --- the MFA configuration ---


def test_mfa_config_get_and_put(admin: Admin, services: Services) -> None:
    defaults = admin.ok("GET", "/mfa-config")
    assert defaults == {
        "enabled_types": ["sms_code", "email_code", "authenticator_app", "security_questions"],
        "code_length": 6,
        "code_expiry_seconds": 300,
        "max_attempts": 5,
        "default_primary": "sms_code",
        "default_backup": "email_code",
        "default_non_monetary": "challenge",
        "version": 0,  # never stored: the defaults
    }
    # What a GET gave, changed and sent back (its version agrees with If-Match).
    chosen = {**defaults, "code_length": 8, "code_expiry_seconds": 120, "max_attempts": 3}
    assert admin.ok("PUT", "/mfa-config", chosen) == {**chosen, "version": 1}
    assert admin.ok("GET", "/mfa-config") == {**chosen, "version": 1}
    assert services.scenarios.config().code_length == 8


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"code_length": 5}, "code_length: a whole number from 6 to 8"),
        ({"code_length": 9}, "code_length: a whole number from 6 to 8"),
        ({"code_expiry_seconds": 301}, "code_expiry_seconds: a whole number from 60 to 300"),
        ({"code_expiry_seconds": 59}, "code_expiry_seconds: a whole number from 60 to 300"),
        ({"max_attempts": 0}, "max_attempts: a whole number from 1 to 5"),
        ({"max_attempts": 6}, "max_attempts: a whole number from 1 to 5"),
        ({"enabled_types": []}, "enabled_types: a non-empty list from: "),
        ({"default_backup": "sms_code"}, "default_backup: must differ from default_primary"),
        ({"colour": "red"}, "colour: unknown field"),
    ],
)
def test_mfa_config_bounds(admin: Admin, changes: dict[str, Any], problem: str) -> None:
    body = {**admin.ok("GET", "/mfa-config"), **changes}
    problems = admin.refused("PUT", "/mfa-config", body)
    assert len(problems) == 1 and problems[0].startswith(problem)
    assert admin.ok("GET", "/mfa-config")["code_length"] == 6


def test_mfa_config_put_replaces_all_of_it(admin: Admin) -> None:
    problems = admin.refused("PUT", "/mfa-config", {"code_length": 8})
    assert "code_length" not in " ".join(problems)
    assert {p.split(":")[0] for p in problems} >= {
        "enabled_types",
        "code_expiry_seconds",
        "max_attempts",
        "default_non_monetary",
    }


def test_a_scenario_must_use_enabled_types(admin: Admin) -> None:
    config = admin.ok("GET", "/mfa-config")
    only_app = {
        **config,
        "enabled_types": ["sms_code", "authenticator_app"],
        "default_backup": "authenticator_app",
    }
    admin.ok("PUT", "/mfa-config", only_app)
    assert admin.refused("POST", "/scenarios", new_scenario()) == [
        "backup_challenge: security_questions is not an enabled challenge type"
    ]


# --- the audit stream ---


def test_every_change_is_audited_with_actor_before_and_after(
    admin: Admin, services: Services
) -> None:
    created = admin.ok("POST", "/scenarios", new_scenario(), status=201)
    sid = created["id"]
    admin.staff = "grace"
    admin.ok("PATCH", f"/scenarios/{sid}", {"value_above": "750.00"})
    admin.ok("POST", f"/scenarios/{sid}/deactivate")
    admin.ok("POST", f"/scenarios/{sid}/activate")
    admin.staff = "linus"
    admin.ok("DELETE", f"/scenarios/{sid}")
    config = admin.ok("GET", "/mfa-config")
    admin.ok("PUT", "/mfa-config", {**config, "max_attempts": 4})
    # Refused changes and reads leave no entry.
    admin.refused("POST", "/scenarios", {})
    admin.ok("GET", "/scenarios")

    entries = [e.fields for e in services.scenarios.audit.entries()]
    changes = [e for e in entries if e["event"].startswith("mfa.")]
    assert [(e["event"], e["actor"]) for e in changes] == [
        ("mfa.config.update", "automation:linus"),
        ("mfa.scenario.delete", "automation:linus"),
        ("mfa.scenario.activate", "automation:grace"),
        ("mfa.scenario.deactivate", "automation:grace"),
        ("mfa.scenario.update", "automation:grace"),
        ("mfa.scenario.create", AUTOMATED),
    ]
    config_change, delete, activate, deactivate, update, create = changes
    assert create["before"] == "" and json.loads(create["after"]) == created
    assert json.loads(update["before"])["value_above"] == "500.00"
    assert json.loads(update["after"])["value_above"] == "750.00"
    assert json.loads(deactivate["before"])["status"] == "active"
    assert json.loads(deactivate["after"])["status"] == "inactive"
    assert json.loads(activate["after"])["status"] == "active"
    assert json.loads(delete["before"])["id"] == sid and delete["after"] == ""
    assert json.loads(config_change["before"])["max_attempts"] == 5
    assert json.loads(config_change["after"])["max_attempts"] == 4
    for entry in changes:
        assert entry["channel"] == "admin" and entry["at"]
    assert {e["scenario"] for e in changes[1:]} == {sid}


# --- JSON everywhere ---


def test_unknown_routes_and_methods_answer_json(admin: Admin, client: FlaskClient) -> None:
    assert admin.refused("GET", "/nothing-here", status=404) == []
    response = admin.call("PUT", "/scenarios")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    # Outside the API, Flask's own pages are untouched.
    assert client.get("/no-such-page").mimetype == "text/html"


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


def test_503_json_while_redis_is_down(
    own_redis: RedisServer, tmp_path: Path, clock: FrozenClock
) -> None:
    config = Config(
        redis_url=own_redis.url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )
    services = build_services(config, clock=clock)
    try:
        admin = Admin(create_app(services=services).test_client(), config.admin_api_key)
        assert admin.ok("GET", "/scenarios")["count"] == 21
        own_redis.stop()
        for method, path, body in [
            ("GET", "/scenarios", None),
            ("GET", f"/scenarios/{INTERBANK}", None),
            ("POST", "/scenarios", new_scenario()),
            ("PATCH", f"/scenarios/{INTERBANK}", {"description": "Renamed"}),
            ("POST", f"/scenarios/{INTERBANK}/deactivate", None),
            ("DELETE", f"/scenarios/{INTERBANK}", None),
            ("POST", "/scenarios/dry-run", {"application": "Retail Banking", "action": "LOGIN"}),
            ("GET", "/mfa-config", None),
        ]:
            response = admin.call(method, path, body)
            assert response.status_code == 503, (method, path)
            assert "temporarily unavailable" in response.get_json()["error"]
        # Still 401 before anything touches Redis.
        assert admin.client.get(f"{API}/scenarios").status_code == 401
        # Recovery needs no restart.
        own_redis.start()
        assert admin.call("GET", "/scenarios").status_code == 200
    finally:
        services.close()
