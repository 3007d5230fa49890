"""Shared fixtures: a private real Redis per test session, the app on it, and transport helpers.

Tests never depend on a Redis the machine happens to run: the session starts its own
``redis-server`` on a free port and every test starts from an empty database. Bank tests ask
for ``bank_database`` and run on SQLite and on a private PostgreSQL (``tests.postgres_server``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from app import DEMO_SEED, Config, Services, build_services, create_app
from bot.messenger import OutboxMessenger
from tests.bank_locations import BankLocations
from tests.fakes import FakeTwilioHttp, FrozenClock
from tests.helpers import WhatsApp
from tests.postgres_server import MISSING as POSTGRES_MISSING
from tests.postgres_server import PostgresServer, binaries
from tests.redis_server import MISSING, RedisServer
from tests.secure_pages import SecurePages

BASE_URL = "https://teller.test"
AMINA = "+2348030000001"  # the first demo customer (bank/seeds/demo.json)
STRANGER = "+447700900123"  # a number in no bank's directory


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.fail(MISSING, pytrace=False)
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One private PostgreSQL per test process, started by the first test that banks on it."""
    if binaries() is None:
        pytest.fail(POSTGRES_MISSING, pytrace=False)
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def bank_locations(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BankLocations]:
    """Every bank test runs twice: on SQLite files, and on a private PostgreSQL's databases."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    locations = BankLocations(request.param, tmp_path, server)
    yield locations
    locations.clean_up()


@pytest.fixture
def bank_database(bank_locations: BankLocations) -> str:
    """Where a bank test's bank lives (``BANK_DATABASE``): a fresh, empty SQLite file or
    PostgreSQL database (its tables made, nothing in them)."""
    return bank_locations.new()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    client = Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def config(redis_url: str, tmp_path: Path) -> Config:
    return Config(
        redis_url=redis_url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )


@pytest.fixture
def twilio_http() -> FakeTwilioHttp:
    return FakeTwilioHttp()


@pytest.fixture
def services(config: Config, clock: FrozenClock) -> Iterator[Services]:
    built = build_services(config, clock=clock)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> Flask:
    flask_app = create_app(services=services)
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def whatsapp(client: FlaskClient, config: Config) -> WhatsApp:
    return WhatsApp(client, config.twilio_auth_token, config.public_base_url)


@pytest.fixture
def secure(app: Flask, services: Services) -> SecurePages:
    assert isinstance(services.messenger, OutboxMessenger)
    return SecurePages(app.test_client(), services.messenger)


@pytest.fixture
def outbox(services: Services) -> OutboxMessenger:
    assert isinstance(services.messenger, OutboxMessenger)
    return services.messenger
