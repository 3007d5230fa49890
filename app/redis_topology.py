"""The Redis clients of one process, for each topology ``app.redis_config`` accepts: the one
place they are built (``app.services`` and the worker entry point call it).

Two clients: ``app`` (str replies) for every store, and ``raw`` (bytes replies) for RQ's queues
and the rendered media waiting for Twilio. On a single server or a Sentinel-managed master both
talk to the same Redis unless the queue has its own; on a Cluster ``raw`` is always the queue's
own Redis, since RQ can't use a Cluster (docs/redis.md).

A Cluster client here keeps redis-py's ``Redis`` meaning of ``pipeline()``: a MULTI/EXEC
transaction unless ``transaction=False`` is asked for (redis-py's cluster pipeline defaults to
no transaction, which would silently drop the atomicity the stores rely on). The stores are
typed against ``Redis``: a Cluster client answers the same commands, and every multi-key
command and script keeps its keys in one slot (``tests/integration/test_redis_slots.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.retry import Retry
from redis.sentinel import Sentinel

from app.config import Config
from app.redis_config import RedisSettings

# Short timeouts: a webhook must answer Twilio within 2 s even when Redis is gone or a master
# is moving (one retry, after a topology refresh, fits in that; more would not).
TIMEOUTS: dict[str, Any] = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    "health_check_interval": 30,
}


class TellerCluster(RedisCluster):
    """redis-py's Cluster client whose ``pipeline()`` is a transaction by default, as
    ``Redis.pipeline()`` is (the keys of one must share a slot)."""

    def pipeline(self, transaction: bool | None = True, shard_hint: Any = None) -> Any:
        return super().pipeline(transaction=transaction, shard_hint=shard_hint)  # type: ignore[no-untyped-call]


class Master(NamedTuple):
    """One master as it stands now: what it is (for messages), and a client of it."""

    name: str  # "127.0.0.1:7001", "Sentinel master teller"
    client: Redis


@dataclass(frozen=True)
class RedisClients:
    """The process's clients; ``masters`` are direct clients of every master right now."""

    app: Redis  # str replies: every store
    raw: Redis  # bytes replies: RQ's queues and the media, on the queue's Redis
    queue_apart: bool = False  # the queue has a Redis of its own (always so with a Cluster)
    sentinel_masters: tuple[str, str] = ("", "")  # names of the app's and raw's masters, if any

    def masters(self) -> list[Master]:
        """Each master the stores use (every Cluster master as it stands; the Sentinel's current
        master; the one server), then the queue's Redis if it is another: what ``/readyz`` and
        the production settings check look at."""
        found = _masters_of(self.app, self.sentinel_masters[0])
        if self.queue_apart:
            found += _masters_of(self.raw, self.sentinel_masters[1])
        return found

    def close(self) -> None:
        self.app.close()
        self.raw.close()


def _masters_of(client: Redis, sentinel_master: str) -> list[Master]:
    if isinstance(client, RedisCluster):
        return [
            Master(node.name, node.redis_connection)
            for node in client.get_primaries()
            if node.redis_connection is not None
        ]
    if sentinel_master:
        return [Master(f"Sentinel master {sentinel_master}", client)]
    where = client.connection_pool.connection_kwargs
    name = where.get("path") or f"{where.get('host', 'localhost')}:{where.get('port', 6379)}"
    return [Master(str(name), client)]


def _node(host: str, port: int) -> ClusterNode:
    return ClusterNode(host, port)  # type: ignore[no-untyped-call]


def _node_options(settings: RedisSettings) -> dict[str, Any]:
    """Credentials and TLS for the data nodes (a Sentinel's master, a Cluster's nodes)."""
    return _auth_options(settings, settings.username, settings.password)


def _auth_options(
    settings: RedisSettings, username: str | None, password: str | None
) -> dict[str, Any]:
    """redis-py's credential and TLS options, for the data nodes or for the sentinels."""
    options: dict[str, Any] = {}
    if username:
        options["username"] = username
    if password:
        options["password"] = password
    if settings.tls:
        options["ssl"] = True
        if settings.tls_ca_file:
            options["ssl_ca_certs"] = settings.tls_ca_file
    return options


def sentinel(settings: RedisSettings, **timeouts: Any) -> Sentinel:
    """redis-py's Sentinel for REDIS_SENTINELS: the sentinels' own credentials in
    ``sentinel_kwargs``, the masters' in the connection options."""
    asked: dict[str, Any] = {
        "socket_timeout": 1.0,
        "socket_connect_timeout": 1.0,
        **_auth_options(settings, settings.sentinel_username, settings.sentinel_password),
    }
    return Sentinel(  # type: ignore[no-untyped-call]
        list(settings.sentinels), sentinel_kwargs=asked, **_node_options(settings), **timeouts
    )


def queue_connection(config: Config, **timeouts: Any) -> Redis:
    """A bytes client of the job queue's Redis (REDIS_QUEUE_URL, REDIS_QUEUE_SENTINEL_MASTER, or
    the stores' own single or Sentinel-managed Redis). The worker passes no timeouts: RQ sets
    its own long read timeout for its blocking waits."""
    settings = config.redis
    if settings.queue_url:
        return Redis.from_url(settings.queue_url, **timeouts)
    master = settings.queue_sentinel_master or settings.sentinel_master
    if master:
        return cast(Redis, sentinel(settings, **timeouts).master_for(master))  # type: ignore[no-untyped-call]
    if config.redis_url:
        return Redis.from_url(config.redis_url, **timeouts)
    raise ValueError("no Redis for the job queue in this configuration")


def redis_clients(config: Config) -> RedisClients:
    """The process's clients for ``config``: on the embedded in-memory Redis (fakeredis, one
    server for both) when no Redis is configured."""
    settings = config.redis
    kind = config.redis_topology
    if kind == "embedded":
        import fakeredis  # only the embedded default needs it

        server = fakeredis.FakeServer()
        return RedisClients(
            fakeredis.FakeRedis(server=server, decode_responses=True),
            fakeredis.FakeRedis(server=server),
        )
    if kind == "cluster":
        app: Redis = cast(
            Redis,
            TellerCluster(
                startup_nodes=[_node(host, port) for host, port in settings.cluster_nodes],
                decode_responses=True,
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
                **_node_options(settings),
                **TIMEOUTS,
            ),
        )
    elif kind == "sentinel":
        assert settings.sentinel_master is not None
        found = sentinel(settings, **TIMEOUTS).master_for(  # type: ignore[no-untyped-call]
            settings.sentinel_master, decode_responses=True
        )
        app = cast(Redis, found)
    else:
        app = Redis.from_url(str(config.redis_url), decode_responses=True, **TIMEOUTS)
    apart = kind == "cluster" or bool(settings.queue_url or settings.queue_sentinel_master)
    queue_master = (
        ""
        if settings.queue_url
        else (settings.queue_sentinel_master or settings.sentinel_master or "")
    )
    names = (settings.sentinel_master or "", queue_master)
    raw = queue_connection(config, **TIMEOUTS)
    return RedisClients(app, raw, queue_apart=apart, sentinel_masters=names)
