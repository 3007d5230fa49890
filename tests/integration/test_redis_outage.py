"""Redis stopped mid-conversation: customers are asked to try again shortly, readiness says 503,
and service comes back by itself when Redis does — no restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from app import DEMO_SEED, Config, build_services, create_app
from bot.inbound import InboundMessage
from bot.store import Begin
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


def test_a_stall_mid_message_frees_the_customer_as_soon_as_redis_answers(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    """Redis stops taking writes for 2.5 s while a message is handled: that message gets "try
    again shortly", and once Redis answers the customer's lock is released at once, not when
    its 10 s TTL ends (the next message is answered, not "still working")."""
    config = Config(
        redis_url=own_redis.url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )
    services = build_services(config, clock=FrozenClock())
    whatsapp = WhatsApp(
        create_app(services=services).test_client(), config.twilio_auth_token, BASE_URL
    )
    assert whatsapp.send(AMINA, "hi").messages[0].startswith("Welcome")
    pauser = Redis.from_url(own_redis.url)
    dispatcher = services.dispatcher
    original = dispatcher._process
    stall_s = 2.5

    def stalled(msg: InboundMessage, begin: Begin) -> str:
        pauser.client_pause(int(stall_s * 1000), all=False)  # writes (and scripts) wait
        return original(msg, begin)

    object.__setattr__(dispatcher, "_process", stalled)  # the dispatcher is frozen
    started = time.monotonic()
    down = whatsapp.send(AMINA, "menu")
    object.__delattr__(dispatcher, "_process")
    assert down.messages == [
        "Sorry, we can't reach our systems right now. Please try again shortly."
    ]
    lock = f"teller:{{{AMINA}}}:lock"
    deadline = started + 8.0  # well before the lock's own 10 s TTL
    while pauser.exists(lock) and time.monotonic() < deadline:
        time.sleep(0.1)
    freed_after = time.monotonic() - started
    assert not pauser.exists(lock), "the lock was still held 8 s after the stall began"
    assert freed_after < stall_s + 2.0
    assert services.dispatcher.edge.late.pending() == 0
    after = whatsapp.send(AMINA, "hi")
    assert after.messages[0].startswith("Welcome"), after.messages
    pauser.close()
