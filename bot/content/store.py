"""Redis keys of the content templates: which SID each definition has, and which tap ids
Teller last offered each customer.

``whatsapp:content`` (hash) · field: a definition's friendly_name · value: JSON
``{"sid": "HX…", "approval": "approved" | "pending" | "rejected" | "unsubmitted"}``, written
by ``flask --app app whatsapp sync-content``; no TTL (the templates live until synced again).

``teller:{+E164}:offered`` (str) · JSON list of the ids of the last button or list message
sent to that customer; TTL 24 hours (WhatsApp's customer-service window: a tap on an older
message can't come later than that). Hash-tagged per customer like the edge's other keys.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

CONTENT_KEY = "whatsapp:content"
OFFERED_KEY = "teller:{{{msisdn}}}:offered"
OFFERED_TTL_S = 24 * 3600
APPROVALS = frozenset({"approved", "pending", "rejected", "unsubmitted"})


@dataclass(frozen=True)
class Stored:
    sid: str
    approval: str


class ContentStore:
    """The SIDs of the synced templates. Read through a short cache (``cache_s``): a reply
    with choices looks one up, and a sync is picked up within that time."""

    def __init__(self, redis: Redis, cache_s: float = 10.0) -> None:
        self.redis = redis
        self.cache_s = cache_s
        self._cached: dict[str, Stored] = {}
        self._read_at = float("-inf")

    def all(self) -> dict[str, Stored]:
        raw: dict[str, str] = self.redis.hgetall(CONTENT_KEY)  # type: ignore[assignment]
        found = {}
        for name, value in raw.items():
            try:
                record = json.loads(value)
                stored = Stored(str(record["sid"]), str(record["approval"]))
            except (ValueError, KeyError, TypeError):
                continue  # not written by sync-content: never used
            if stored.approval in APPROVALS:
                found[name] = stored
        return found

    def sendable(self, name: str) -> str | None:
        """The SID to send ``name`` with inside a session, or None (not synced, or rejected).
        Fails open to None: Redis unreachable here means a text reply, never an error."""
        stored = self._fresh().get(name)
        return stored.sid if stored and stored.approval != "rejected" else None

    def any_sendable(self) -> bool:
        """Whether any template is synced and not rejected (through the same cache): with none,
        a reply's choices need no planning. Fails open to False, as ``sendable``."""
        return any(stored.approval != "rejected" for stored in self._fresh().values())

    def _fresh(self) -> dict[str, Stored]:
        now = time.monotonic()
        if now - self._read_at >= self.cache_s:
            try:
                self._cached = self.all()
            except RedisError:
                self._cached = {}
            self._read_at = now
        return self._cached

    def save(self, name: str, sid: str, approval: str) -> None:
        assert approval in APPROVALS, approval
        self.redis.hset(CONTENT_KEY, name, json.dumps({"sid": sid, "approval": approval}))
        self._read_at = float("-inf")

    def keep_only(self, names: Iterable[str]) -> list[str]:
        """Forget the fields of definitions no longer in the registry; the names dropped."""
        kept = set(names)
        gone = [name for name in self.all() if name not in kept]
        if gone:
            self.redis.hdel(CONTENT_KEY, *gone)
        self._read_at = float("-inf")
        return gone

    def name_of(self, sid: str) -> str | None:
        return next((name for name, s in self.all().items() if s.sid == sid), None)


class OfferStore:
    """The tap ids Teller offered a customer in its last button or list message."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def remember(self, msisdn: str, ids: Iterable[str]) -> None:
        key = OFFERED_KEY.format(msisdn=msisdn)
        self.redis.set(key, json.dumps(list(ids)), ex=OFFERED_TTL_S)

    def offered(self, msisdn: str) -> frozenset[str]:
        raw = self.redis.get(OFFERED_KEY.format(msisdn=msisdn))
        if not raw:
            return frozenset()
        try:
            ids = json.loads(raw)
        except ValueError:
            return frozenset()
        return frozenset(str(i) for i in ids) if isinstance(ids, list) else frozenset()
