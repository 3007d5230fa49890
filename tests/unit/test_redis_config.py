"""The Redis settings: exactly one topology for the stores, the job queue's own Redis (required
beside a Cluster), credentials and TLS where they apply; every mistake named at start."""

from __future__ import annotations

import pytest

from app import Config, ConfigError
from app.redis_topology import _node_options, sentinel
from tests.unit.test_config import PROD

SENTINELS = {"REDIS_SENTINELS": "10.0.0.1:26379, 10.0.0.2:26379,[::1]:26380"}
CLUSTER = {"REDIS_CLUSTER_NODES": "10.0.1.1:6379,10.0.1.2:6379", "REDIS_QUEUE_URL": "redis://q"}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        Config.from_env(env)
    return info.value.problems


def test_each_topology_is_read() -> None:
    assert Config.from_env({}).redis_topology == "embedded"
    assert Config.from_env({"REDIS_URL": "redis://r:6379/0"}).redis_topology == "single"
    sentinel_config = Config.from_env({**SENTINELS, "REDIS_SENTINEL_MASTER": "teller"})
    assert sentinel_config.redis_topology == "sentinel"
    assert sentinel_config.redis.sentinels == (
        ("10.0.0.1", 26379),
        ("10.0.0.2", 26379),
        ("::1", 26380),
    )
    cluster_config = Config.from_env(CLUSTER)
    assert cluster_config.redis_topology == "cluster"
    assert cluster_config.redis.cluster_nodes == (("10.0.1.1", 6379), ("10.0.1.2", 6379))
    assert cluster_config.redis.queue_url == "redis://q"


@pytest.mark.parametrize(
    "env",
    [
        {"REDIS_URL": "redis://r", **SENTINELS, "REDIS_SENTINEL_MASTER": "teller"},
        {"REDIS_URL": "redis://r", **CLUSTER},
        {**SENTINELS, "REDIS_SENTINEL_MASTER": "teller", **CLUSTER},
    ],
)
def test_two_topologies_refuse_to_start(env: dict[str, str]) -> None:
    found = problems(env)
    assert any("set exactly one" in problem for problem in found), found


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"REDIS_SENTINELS": "10.0.0.1:26379"}, "REDIS_SENTINEL_MASTER"),
        ({"REDIS_SENTINEL_MASTER": "teller"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "10.0.0.1", "REDIS_SENTINEL_MASTER": "t"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "h:70000", "REDIS_SENTINEL_MASTER": "t"}, "REDIS_SENTINELS"),
        ({**CLUSTER, "REDIS_CLUSTER_NODES": "a:1,,b:2"}, "REDIS_CLUSTER_NODES"),
        ({"REDIS_CLUSTER_NODES": "10.0.1.1:6379"}, "REDIS_QUEUE_URL"),
        ({**CLUSTER, "REDIS_QUEUE_URL": "http://q"}, "REDIS_QUEUE_URL"),
        ({"REDIS_QUEUE_URL": "redis://q"}, "REDIS_QUEUE_URL"),
        ({"REDIS_URL": "redis://r", "REDIS_PASSWORD": "p"}, "REDIS_PASSWORD"),
        ({"REDIS_URL": "redis://r", "REDIS_TLS": "on"}, "REDIS_TLS"),
        ({**CLUSTER, "REDIS_TLS": "maybe"}, "REDIS_TLS"),
        ({**CLUSTER, "REDIS_TLS_CA_FILE": "/nonexistent/ca.pem"}, "REDIS_TLS_CA_FILE"),
        ({**CLUSTER, "REDIS_SENTINEL_PASSWORD": "p"}, "REDIS_SENTINEL_PASSWORD"),
        (
            {"REDIS_URL": "redis://r", "REDIS_QUEUE_URL": "redis://q", **SENTINELS,
             "REDIS_QUEUE_SENTINEL_MASTER": "jobs"},
            "REDIS_QUEUE_URL and REDIS_QUEUE_SENTINEL_MASTER",
        ),
    ],
)  # fmt: skip
def test_inconsistent_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    found = problems(env)
    assert any(problem.startswith(f"{named}:") for problem in found), found


def test_a_cluster_may_queue_on_a_sentinel_managed_master() -> None:
    env = {"REDIS_CLUSTER_NODES": "10.0.1.1:6379", **SENTINELS, "REDIS_QUEUE_SENTINEL_MASTER": "q"}
    config = Config.from_env(env)
    assert config.redis_topology == "cluster" and config.redis.queue_sentinel_master == "q"


def test_production_takes_any_topology_but_not_none() -> None:
    single = {k: v for k, v in PROD.items() if k != "REDIS_URL"}
    assert Config.from_env({**single, **CLUSTER}).redis_topology == "cluster"
    sentinel_env = {**single, **SENTINELS, "REDIS_SENTINEL_MASTER": "teller"}
    assert Config.from_env(sentinel_env).redis_topology == "sentinel"
    assert any(
        problem.startswith("REDIS_URL: required in production") for problem in problems(single)
    )


def test_passwords_stay_out_of_messages_and_reprs() -> None:
    passwords = {"REDIS_PASSWORD": "node-pass-123", "REDIS_SENTINEL_PASSWORD": "watch-pass-456"}
    found = problems({**CLUSTER, **passwords, "REDIS_TLS": "sometimes"})
    assert not [p for p in found if "pass-123" in p or "pass-456" in p]
    config = Config.from_env({**SENTINELS, "REDIS_SENTINEL_MASTER": "t", **passwords})
    assert "pass-123" not in repr(config) and "pass-456" not in repr(config)


def test_credentials_and_tls_go_where_redis_py_expects_them() -> None:
    config = Config.from_env(
        {
            **SENTINELS,
            "REDIS_SENTINEL_MASTER": "teller",
            "REDIS_USERNAME": "teller",
            "REDIS_PASSWORD": "node-pass",
            "REDIS_SENTINEL_USERNAME": "watch",
            "REDIS_SENTINEL_PASSWORD": "sentinel-pass",
            "REDIS_TLS": "on",
        }
    )
    nodes = _node_options(config.redis)
    assert nodes == {"username": "teller", "password": "node-pass", "ssl": True}
    built = sentinel(config.redis)
    asked = built.sentinels[0].connection_pool.connection_kwargs
    assert (asked["username"], asked["password"]) == ("watch", "sentinel-pass")
    assert built.connection_kwargs["password"] == "node-pass"
