"""Redis stopped mid-conversation: customers are asked to try again shortly, readiness says 503,
and service comes back by itself when Redis does — no restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import DEMO_SEED, Config, build_services, create_app
from tests.conftest import AMINA, BASE_URL
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.redis_server import RedisServer


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


def test_redis_outage_and_recovery(own_redis: RedisServer, tmp_path: Path) -> None:
    config = Config(
        redis_url=own_redis.url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )
    services = build_services(config, clock=FrozenClock())
    app = create_app(services=services)
    client = app.test_client()
    whatsapp = WhatsApp(client, config.twilio_auth_token, BASE_URL)
    assert whatsapp.send(AMINA, "hi").messages[0].startswith("Welcome")

    own_redis.stop()
    down = whatsapp.send(AMINA, "7")
    assert down.status == 200
    assert down.messages == [
        "Sorry, we can't reach our systems right now. Please try again shortly."
    ]
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["redis"].startswith("unavailable")
    assert ready.json["checks"]["bank"] == "ok"

    own_redis.start()
    back = whatsapp.send(AMINA, "hi")
    assert back.status == 200 and back.messages[0].startswith("Welcome")
    assert client.get("/readyz").status_code == 200
