"""Which Redis Teller keeps its state in, and where the job queue lives: the ``REDIS_*`` settings
parsed and checked once at start (``app.config`` calls ``parse``; ``app.redis_topology`` builds the
clients from the result).

The stores' Redis is exactly one of: a single server (``REDIS_URL``), a master that Redis
Sentinel manages (``REDIS_SENTINELS`` + ``REDIS_SENTINEL_MASTER``) or a Redis Cluster
(``REDIS_CLUSTER_NODES``); none means the embedded in-memory Redis of development. The RQ queue
shares the stores' Redis unless ``REDIS_QUEUE_URL`` or ``REDIS_QUEUE_SENTINEL_MASTER`` gives it
its own, which a Cluster requires: RQ can't run on one (docs/redis.md says why).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlparse

Address = tuple[str, int]
Topology = Literal["embedded", "single", "sentinel", "cluster"]
SCHEMES = ("redis", "rediss", "unix")

VARIABLES = frozenset(
    {
        "REDIS_URL",
        "REDIS_SENTINELS",
        "REDIS_SENTINEL_MASTER",
        "REDIS_SENTINEL_USERNAME",
        "REDIS_SENTINEL_PASSWORD",
        "REDIS_CLUSTER_NODES",
        "REDIS_USERNAME",
        "REDIS_PASSWORD",
        "REDIS_TLS",
        "REDIS_TLS_CA_FILE",
        "REDIS_QUEUE_URL",
        "REDIS_QUEUE_SENTINEL_MASTER",
    }
)


@dataclass(frozen=True)
class RedisSettings:
    """Everything about Redis but ``REDIS_URL`` (``Config.redis_url``, the single server)."""

    sentinels: tuple[Address, ...] = ()  # REDIS_SENTINELS: the sentinels asked for a master
    sentinel_master: str | None = None  # REDIS_SENTINEL_MASTER: the stores' master's name
    cluster_nodes: tuple[Address, ...] = ()  # REDIS_CLUSTER_NODES: any nodes; the rest are found
    # Credentials and TLS of the data nodes (a Sentinel's masters and replicas, a Cluster's
    # nodes); REDIS_URL and REDIS_QUEUE_URL carry their own in the URL.
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # The sentinels' own credentials (a Sentinel may have none while its masters have some).
    sentinel_username: str | None = None
    sentinel_password: str | None = field(default=None, repr=False)
    tls: bool = False  # REDIS_TLS: TLS to the sentinels and the data nodes alike
    tls_ca_file: str | None = None  # REDIS_TLS_CA_FILE: the CA that signed their certificates
    queue_url: str | None = None  # REDIS_QUEUE_URL: the job queue's own single Redis
    queue_sentinel_master: str | None = None  # REDIS_QUEUE_SENTINEL_MASTER: its own master


def topology(url: str | None, settings: RedisSettings) -> Topology:
    """The stores' Redis, for a configuration that ``parse`` accepted."""
    if settings.cluster_nodes:
        return "cluster"
    if settings.sentinel_master:
        return "sentinel"
    return "single" if url else "embedded"


def parse(get: Callable[[str], str | None]) -> tuple[RedisSettings, list[str]]:
    """Read the REDIS_* settings (but REDIS_URL, read by Config) and say what is wrong."""
    problems: list[str] = []

    def addresses(name: str) -> tuple[Address, ...]:
        text = get(name)
        if text is None:
            return ()
        found = []
        for item in (part.strip() for part in text.split(",")):
            address = _address(item)
            if address is None:
                problems.append(
                    f"{name}: {item!r} is not host:port; list every node as "
                    "host:port,host:port (an IPv6 address in brackets: [::1]:26379)"
                )
                return ()
            found.append(address)
        return tuple(found)

    tls = (get("REDIS_TLS") or "off").lower()
    if tls not in ("on", "off"):
        problems.append(f"REDIS_TLS: must be on or off, not {tls!r}")
    settings = RedisSettings(
        sentinels=addresses("REDIS_SENTINELS"),
        sentinel_master=get("REDIS_SENTINEL_MASTER"),
        cluster_nodes=addresses("REDIS_CLUSTER_NODES"),
        username=get("REDIS_USERNAME"),
        password=get("REDIS_PASSWORD"),
        sentinel_username=get("REDIS_SENTINEL_USERNAME"),
        sentinel_password=get("REDIS_SENTINEL_PASSWORD"),
        tls=tls == "on",
        tls_ca_file=get("REDIS_TLS_CA_FILE"),
        queue_url=get("REDIS_QUEUE_URL"),
        queue_sentinel_master=get("REDIS_QUEUE_SENTINEL_MASTER"),
    )
    return settings, problems


def problems(url: str | None, settings: RedisSettings, production: bool) -> list[str]:
    """What is inconsistent or unsafe in these settings, one sentence each, naming the variable."""
    found: list[str] = []
    chosen = [
        name
        for name, value in (
            ("REDIS_URL", url),
            ("REDIS_SENTINEL_MASTER", settings.sentinel_master),
            ("REDIS_CLUSTER_NODES", settings.cluster_nodes),
        )
        if value
    ]
    if len(chosen) > 1:
        found.append(
            f"{' and '.join(chosen)}: each chooses the Redis Teller keeps its state in; set "
            "exactly one (REDIS_URL: one server, REDIS_SENTINELS + REDIS_SENTINEL_MASTER: a "
            "Sentinel-managed master, REDIS_CLUSTER_NODES: a Redis Cluster)"
        )
    if url and urlparse(url).scheme not in SCHEMES:
        found.append("REDIS_URL: must start with redis://, rediss:// or unix://")
    queue = settings.queue_url
    if queue and urlparse(queue).scheme not in SCHEMES:
        found.append("REDIS_QUEUE_URL: must start with redis://, rediss:// or unix://")
    masters = settings.sentinel_master or settings.queue_sentinel_master
    if masters and not settings.sentinels:
        which = "REDIS_" + ("" if settings.sentinel_master else "QUEUE_") + "SENTINEL_MASTER"
        found.append(f"REDIS_SENTINELS: required with {which} (the sentinels to ask, host:port,…)")
    if settings.sentinels and not masters:
        found.append(
            "REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the name the sentinels know "
            "the master by; or REDIS_QUEUE_SENTINEL_MASTER for the job queue's master alone)"
        )
    if queue and settings.queue_sentinel_master:
        found.append(
            "REDIS_QUEUE_URL and REDIS_QUEUE_SENTINEL_MASTER: each chooses the job queue's Redis; "
            "set one"
        )
    kind = topology(url, settings)
    if kind == "cluster" and not (queue or settings.queue_sentinel_master):
        found.append(
            "REDIS_QUEUE_URL: required with REDIS_CLUSTER_NODES (RQ's queues can't live in a "
            "Redis Cluster: give the job queue a Redis of its own, or a Sentinel-managed master "
            "with REDIS_QUEUE_SENTINEL_MASTER; see docs/redis.md)"
        )
    if kind == "embedded" and (queue or settings.queue_sentinel_master):
        found.append(
            "REDIS_QUEUE_URL: the job queue's own Redis needs the stores' Redis too (set "
            "REDIS_URL, REDIS_SENTINELS + REDIS_SENTINEL_MASTER or REDIS_CLUSTER_NODES)"
        )
    nodes_set = bool(settings.sentinels or settings.cluster_nodes)
    for name, value in (
        ("REDIS_USERNAME", settings.username),
        ("REDIS_PASSWORD", settings.password),
        ("REDIS_TLS", settings.tls),
        ("REDIS_TLS_CA_FILE", settings.tls_ca_file),
    ):
        if value and not nodes_set:
            found.append(
                f"{name}: only used with REDIS_SENTINELS or REDIS_CLUSTER_NODES (REDIS_URL and "
                "REDIS_QUEUE_URL carry their own: redis://user:password@host, rediss:// for TLS)"
            )
    for name, value in (
        ("REDIS_SENTINEL_USERNAME", settings.sentinel_username),
        ("REDIS_SENTINEL_PASSWORD", settings.sentinel_password),
    ):
        if value and not settings.sentinels:
            found.append(f"{name}: only used with REDIS_SENTINELS")
    ca = settings.tls_ca_file
    if ca and not settings.tls:
        found.append("REDIS_TLS_CA_FILE: only used with REDIS_TLS=on")
    if ca and not (os.path.isfile(ca) and os.access(ca, os.R_OK)):
        found.append(f"REDIS_TLS_CA_FILE: {ca!r} is not a file Teller can read")
    if production and kind == "embedded":
        found.append(
            "REDIS_URL: required in production (or REDIS_SENTINELS + REDIS_SENTINEL_MASTER, or "
            "REDIS_CLUSTER_NODES): the in-memory Redis is for development"
        )
    return found


def _address(item: str) -> Address | None:
    """``host:port`` (``[v6]:port``) with a port from 1 to 65535, or None."""
    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})", item)
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        return None
    return match.group(1).strip("[]"), int(match.group(2))
