"""SECURITY.md 25: production names each unsafe Redis setting at start."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from redis import Redis

from app.redis_settings import redis_problems, warn_about_redis
from tests.redis_server import RedisServer


@pytest.fixture
def own_redis() -> Iterator[Redis]:
    server = RedisServer().start()  # its own: the test changes its settings
    client = Redis.from_url(server.url, decode_responses=True)
    yield client
    client.close()
    server.stop()


def test_eviction_and_no_persistence_are_named(
    own_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    own_redis.config_set("maxmemory-policy", "allkeys-lru")
    with caplog.at_level(logging.WARNING, logger="teller"):
        problems = warn_about_redis(own_redis)
    assert len(problems) == 2
    assert "allkeys-lru" in problems[0] and "noeviction" in problems[0]
    assert "persistence is off" in problems[1]
    assert [r.getMessage() for r in caplog.records] == [f"production: {p}" for p in problems]


def test_safe_settings_say_nothing(own_redis: Redis) -> None:
    own_redis.config_set("maxmemory-policy", "noeviction")
    own_redis.config_set("appendonly", "yes")
    assert redis_problems(own_redis) == []
    own_redis.config_set("appendonly", "no")
    own_redis.config_set("save", "3600 1")
    assert redis_problems(own_redis) == []


def test_a_redis_that_hides_its_settings_gets_a_warning(own_redis: Redis) -> None:
    own_redis.acl_setuser(
        "teller",
        enabled=True,
        passwords=["+pw-for-test"],
        keys=["*"],
        commands=["+@all", "-config"],
    )
    limited = Redis(
        port=own_redis.connection_pool.connection_kwargs["port"],
        username="teller",
        password="pw-for-test",
        decode_responses=True,
    )
    problems = redis_problems(limited)
    limited.close()
    assert len(problems) == 1 and "could not be read" in problems[0]
