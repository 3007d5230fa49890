"""The token API for client services, against its contract (DESIGN.md, HTTP):
``POST /auth/v1/token/check`` and ``/auth/v1/token/revoke`` with a bearer key, JSON in and out,
every status (missing, valid and extended, expired, blocked), every malformed request, and a JSON
503 while Redis is down.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import DEMO_SEED, Config, Services, build_services, create_app
from auth.stores.links import Purpose
from auth.stores.lockout import Kind
from tests.conftest import AMINA, BASE_URL, STRANGER
from tests.fakes import FrozenClock
from tests.redis_server import RedisServer

CHECK, REVOKE = "/auth/v1/token/check", "/auth/v1/token/revoke"
BODY = {"channel": "whatsapp", "user": AMINA}


def post(client: FlaskClient, config: Config, path: str, body: Any = BODY) -> TestResponse:
    headers = {"Authorization": f"Bearer {config.auth_api_key}"}
    return client.post(path, json=body, headers=headers)


def check(client: FlaskClient, config: Config) -> dict[str, Any]:
    response = post(client, config, CHECK)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert set(body) == {"status", "expires_at"}
    return body


# --- the key ---


UNAUTHORISED = [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer wrong-key",
    "Basic dGVsbGVyOmtleQ==",
    "Token KEY",
]


def test_401_without_the_right_key(client: FlaskClient, config: Config) -> None:
    for path in (CHECK, REVOKE):
        for authorization in UNAUTHORISED:
            headers = {} if authorization is None else {"Authorization": authorization}
            headers = {k: v.replace("KEY", config.auth_api_key) for k, v in headers.items()}
            response = client.post(path, json=BODY, headers=headers)
            assert response.status_code == 401, (path, authorization)
            assert response.mimetype == "application/json"
            assert "API key" in response.get_json()["error"]
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_401_comes_before_the_body_is_read(client: FlaskClient) -> None:
    response = client.post(CHECK, data="not json", content_type="text/plain")
    assert response.status_code == 401


def test_a_key_that_only_starts_right_is_wrong(client: FlaskClient, config: Config) -> None:
    for key in (config.auth_api_key[:-1], config.auth_api_key + "x"):
        response = client.post(CHECK, json=BODY, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401


def test_the_key_does_not_change_the_session(
    client: FlaskClient, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    clock.advance(minutes=4)
    client.post(CHECK, json=BODY, headers={"Authorization": "Bearer wrong"})
    clock.advance(minutes=2)
    assert services.auth.sessions.check(AMINA, clock.now).status.value == "expired"


# --- malformed requests ---


@pytest.mark.parametrize(
    ("data", "content_type", "field"),
    [
        ("channel=whatsapp&user=%2B2348030000001", "application/x-www-form-urlencoded", "body"),
        ("not json", "text/plain", "body"),
        ('{"channel": "whatsapp", "user": ', "application/json", "body"),
        ("", "application/json", "body"),
        ('["whatsapp", "+2348030000001"]', "application/json", "body"),
        ('"+2348030000001"', "application/json", "body"),
        ("null", "application/json", "body"),
        ('{"user": "+2348030000001"}', "application/json", "channel"),
        ('{"channel": "sms", "user": "+2348030000001"}', "application/json", "channel"),
        ('{"channel": "WhatsApp", "user": "+2348030000001"}', "application/json", "channel"),
        ('{"channel": null, "user": "+2348030000001"}', "application/json", "channel"),
        ('{"channel": "whatsapp"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "2348030000001"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "+0348030000001"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "+234 803 000 0001"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "whatsapp:+2348030000001"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "+12345"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "+1234567890123456"}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": 2348030000001}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": ["+2348030000001"]}', "application/json", "user"),
        ('{"channel": "whatsapp", "user": "+2348030000001\\n"}', "application/json", "user"),
        (
            '{"channel": "whatsapp", "user": "+2348030000001", "token": "x"}',
            "application/json",
            "unknown fields: token",
        ),
        (
            '{"channel": "whatsapp", "user": "+2348030000001", "b": 1, "a": 2}',
            "application/json",
            "unknown fields: a, b",
        ),
    ],
)
def test_400_for_malformed_bodies(
    client: FlaskClient,
    config: Config,
    services: Services,
    clock: FrozenClock,
    data: str,
    content_type: str,
    field: str,
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    for path in (CHECK, REVOKE):
        response = client.post(
            path,
            data=data,
            content_type=content_type,
            headers={"Authorization": f"Bearer {config.auth_api_key}"},
        )
        assert response.status_code == 400, path
        assert response.mimetype == "application/json"
        error = response.get_json()["error"]
        assert error.startswith(field), error
    # Nothing happened to the session.
    assert services.auth.sessions.check(AMINA, clock.now, extend=False).status.value == "valid"


# --- each status ---


def test_missing(client: FlaskClient, config: Config) -> None:
    assert check(client, config) == {"status": "missing", "expires_at": None}


def test_valid_and_extended(
    client: FlaskClient, config: Config, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    assert check(client, config) == {
        "status": "valid",
        "expires_at": (clock.now + timedelta(minutes=5)).isoformat(),
    }
    clock.advance(minutes=4)
    assert check(client, config) == {
        "status": "valid",
        "expires_at": (clock.now + timedelta(minutes=5)).isoformat(),
    }
    clock.advance(minutes=4)  # 8 minutes after login: alive only because the check extended it
    assert check(client, config)["status"] == "valid"
    assert check(client, config)["expires_at"].endswith("+00:00")


def test_expired(
    client: FlaskClient, config: Config, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    ended = clock.now + timedelta(minutes=5)
    clock.advance(minutes=6)
    assert check(client, config) == {"status": "expired", "expires_at": ended.isoformat()}
    assert check(client, config)["status"] == "expired"


def test_expired_after_12_hours(
    client: FlaskClient, config: Config, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    end = clock.now + timedelta(hours=12)
    for _ in range(12 * 60 // 4 - 1):
        clock.advance(minutes=4)
        assert services.auth.check(AMINA).status.value == "valid"
    last = check(client, config)
    assert last == {"status": "valid", "expires_at": end.isoformat()}
    clock.now = end
    assert check(client, config) == {"status": "expired", "expires_at": end.isoformat()}


def test_blocked(
    client: FlaskClient, config: Config, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    for _ in range(5):
        services.auth.lockouts.failure(AMINA, Kind.PIN, clock.now)
    assert check(client, config) == {"status": "blocked", "expires_at": None}
    clock.advance(minutes=16)
    assert check(client, config)["status"] == "expired"


def test_revoke_then_missing(
    client: FlaskClient, config: Config, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    response = post(client, config, REVOKE)
    assert response.status_code == 200
    assert response.get_json() == {"revoked": True, "status": "missing"}
    assert check(client, config) == {"status": "missing", "expires_at": None}
    again = post(client, config, REVOKE)
    assert again.get_json() == {"revoked": False, "status": "missing"}
    logouts = services.auth.audit.entries(event="logout_everywhere", customer_id="C001")
    assert [(e.fields["channel"], e.fields["result"]) for e in logouts] == [
        ("api", "no_session"),
        ("api", "ok"),
    ]


def test_revoke_is_logout_everywhere(
    client: FlaskClient, config: Config, services: Services, clock: FrozenClock
) -> None:
    services.auth.sessions.create(AMINA, clock.now)
    link = services.auth.links.issue(Purpose.LOGIN, AMINA, "C001", clock.now)
    assert post(client, config, REVOKE).status_code == 200
    assert services.auth.open_link(link.token, Purpose.LOGIN) is None


def test_a_number_outside_the_directory(client: FlaskClient, config: Config) -> None:
    body = {"channel": "whatsapp", "user": STRANGER}
    assert post(client, config, CHECK, body).get_json() == {"status": "missing", "expires_at": None}
    assert post(client, config, REVOKE, body).get_json() == {"revoked": False, "status": "missing"}


# --- Redis down ---


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
        client = create_app(services=services).test_client()
        services.auth.sessions.create(AMINA, clock.now)
        assert check(client, config)["status"] == "valid"
        own_redis.stop()
        for path in (CHECK, REVOKE):
            response = post(client, config, path)
            assert response.status_code == 503
            assert response.mimetype == "application/json"
            assert "unavailable" in response.get_json()["error"]
            assert response.headers["Cache-Control"] == "no-store"
        # Still 401 before anything touches Redis.
        assert client.post(CHECK, json=BODY).status_code == 401
    finally:
        services.close()
