"""Shared fixtures: a private real Redis per test session, the app on it, and transport helpers.

Tests never depend on a Redis the machine happens to run: the session starts its own
``redis-server`` on a free port and every test starts from an empty database. Bank tests ask
for ``bank_database`` and run on SQLite and on a private PostgreSQL (``tests.postgres_server``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import cast

import fakeredis
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from redis import Redis
from redis.cluster import ClusterNode

from app import DEMO_SEED, Config, Services, build_services, create_app
from app.redis_config import RedisSettings
from app.redis_topology import TellerCluster, redis_clients, sentinel
from bot.messenger import OutboxMessenger
from tests.bank_locations import BankLocations
from tests.fakes import FakeTwilioHttp, FrozenClock
from tests.helpers import WhatsApp
from tests.postgres_server import MISSING as POSTGRES_MISSING
from tests.postgres_server import PostgresServer, binaries
from tests.redis_server import MISSING, RedisServer
from tests.redis_topologies import RedisClusterServers, RedisSentinelServers
from tests.secure_pages import SecurePages

# Property tests judge behaviour, never speed: on a loaded machine (CI shares its cores) an
# example may take seconds, which Hypothesis's default 200 ms deadline would call a failure.
settings.register_profile(
    "teller", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("teller")

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


# Where the stores' Redis is: tests marked ``redis_topologies`` run on each; the others on a
# single server, or on TEST_REDIS_TOPOLOGY (single | sentinel | cluster) to run any test elsewhere.
TOPOLOGIES = ("single", "sentinel", "cluster")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("redis_topologies") is None:
        return
    if "redis_topology" in metafunc.fixturenames:
        metafunc.parametrize("redis_topology", TOPOLOGIES, indirect=True)


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisClusterServers]:
    """One 3-master Redis Cluster (a replica each) for the whole session: forming it takes
    seconds."""
    if shutil.which("redis-server") is None:
        pytest.fail(MISSING, pytrace=False)
    cluster = RedisClusterServers().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def redis_sentinel() -> Iterator[RedisSentinelServers]:
    """One Sentinel set-up (master, replica, 3 sentinels) for the whole session."""
    if shutil.which("redis-server") is None:
        pytest.fail(MISSING, pytrace=False)
    servers = RedisSentinelServers().start()
    yield servers
    servers.stop()


@pytest.fixture
def redis_topology(request: pytest.FixtureRequest) -> str:
    topology = getattr(request, "param", None) or os.environ.get("TEST_REDIS_TOPOLOGY", "single")
    assert topology in TOPOLOGIES, f"TEST_REDIS_TOPOLOGY: one of {', '.join(TOPOLOGIES)}"
    return str(topology)


def on_topology(config: Config, topology: str, request: pytest.FixtureRequest) -> Config:
    """``config`` moved onto the session's Sentinel set-up or Cluster (flushed), the job queue on
    the single test Redis for a Cluster; unchanged for a single Redis."""
    if topology == "single":
        return config
    if topology == "sentinel":
        servers: RedisSentinelServers = request.getfixturevalue("redis_sentinel")
        settings = RedisSettings(
            sentinels=_addresses(servers.addresses), sentinel_master=servers.MASTER_NAME
        )
    else:
        cluster: RedisClusterServers = request.getfixturevalue("redis_cluster")
        settings = RedisSettings(
            cluster_nodes=_addresses(cluster.addresses), queue_url=config.redis_url
        )
    moved = replace(config, redis_url=None, redis=settings)
    clients = redis_clients(moved)
    clients.app.flushall()
    clients.close()
    return moved


def _addresses(text: str) -> tuple[tuple[str, int], ...]:
    return tuple((host, int(port)) for host, port in (item.split(":") for item in text.split(",")))


def redis_environment(config: Config) -> dict[str, str]:
    """The REDIS_* variables that give a process (``python -m app worker``) ``config``'s Redis."""
    settings = config.redis

    def listed(nodes: tuple[tuple[str, int], ...]) -> str:
        return ",".join(f"{host}:{port}" for host, port in nodes)

    if config.redis_topology == "cluster":
        found = {"REDIS_CLUSTER_NODES": listed(settings.cluster_nodes)}
        found["REDIS_QUEUE_URL"] = str(settings.queue_url)
        return found
    if config.redis_topology == "sentinel":
        return {
            "REDIS_SENTINELS": listed(settings.sentinels),
            "REDIS_SENTINEL_MASTER": str(settings.sentinel_master),
        }
    return {"REDIS_URL": str(config.redis_url)}


def stores_bytes(config: Config) -> Redis:
    """A bytes-reply client of the stores' Redis (Teller's own app client decodes to str; its
    bytes client is the queue's Redis, another server beside a Cluster)."""
    settings = config.redis
    if config.redis_topology == "cluster":
        nodes = [ClusterNode(host, port) for host, port in settings.cluster_nodes]  # type: ignore[no-untyped-call]
        return cast(Redis, TellerCluster(startup_nodes=nodes))
    if config.redis_topology == "sentinel":
        found = sentinel(settings).master_for(str(settings.sentinel_master))  # type: ignore[no-untyped-call]
        return cast(Redis, found)
    return Redis.from_url(str(config.redis_url))


# The stores' own tests run on fakeredis (the embedded default) and on each real topology.
STORE_REDIS = ("redis", "fakeredis", "sentinel", "cluster")


@pytest.fixture(params=STORE_REDIS)
def store_redis(request: pytest.FixtureRequest, redis_url: str) -> Iterator[Redis]:
    """A str-reply client of an empty Redis, built as Teller builds it: the private single
    server, a fresh fakeredis, the session's Sentinel-managed master, or its Cluster."""
    if request.param == "fakeredis":
        fake: Redis = fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
        yield fake
        fake.close()
        return
    topology = "single" if request.param == "redis" else str(request.param)
    clients = redis_clients(on_topology(Config(redis_url=redis_url), topology, request))
    yield clients.app
    clients.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def config(
    redis_url: str, redis_topology: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Config:
    single = Config(
        redis_url=redis_url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )
    return on_topology(single, redis_topology, request)


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
