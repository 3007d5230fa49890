"""KYC upgrade requests: who asked for which level with which documents, and what staff decided.

A request is pending until staff approve it (``approving``: the level change is applied, or
waits for a second admin under four eyes) or reject it; once the new level is in force it is
``approved``. Requests expire with their documents (30 days). A customer has at most one open
request; the queue lists open requests, oldest first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from redis import Redis

from auth.kyc.content import Kind
from auth.kyc.vault import TTL
from auth.onboarding_texts import TEXTS

# Keys — value shape, lifetime:
REQUEST_KEY = "teller:kyc:request:{request_id}"
# hash: customer_id, msisdn, from_level, to_level, status, created (epoch s), documents (JSON
# [{slot, kind, size}]), liveness, liveness_note, decided_by, decided_at, reason, change — TTL.
QUEUE_KEY = "teller:kyc:queue"  # zset: open request ids → created (epoch s); no TTL, pruned
OPEN_KEY = "teller:kyc:open:{customer_id}"  # str: the customer's open request id — TTL

SLOTS = ("identity", "address")
# In English, as the console shows them; the upload page shows them in the customer's language.
SLOT_LABELS = {slot: TEXTS[f"kyc_upload.slot.{slot}"] for slot in SLOTS}

# Compare-and-set of a request's status: exactly one of two racing decisions wins.
_MOVE = """
local now = redis.call('HGET', KEYS[1], 'status')
if not now then return -1 end
for i = 2, #ARGV, 1 do
  if now == ARGV[i] then
    redis.call('HSET', KEYS[1], 'status', ARGV[1])
    return 1
  end
end
return 0
"""


class Status(StrEnum):
    PENDING = "pending"
    APPROVING = "approving"
    APPROVED = "approved"
    REJECTED = "rejected"


OPEN = (Status.PENDING, Status.APPROVING)


class NotOpen(Exception):
    """The request is gone, or someone decided it first (``status``: what it is now)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Document:
    slot: str
    kind: Kind
    size: int

    @property
    def label(self) -> str:
        return SLOT_LABELS.get(self.slot, self.slot)


@dataclass(frozen=True)
class UpgradeRequest:
    request_id: str
    customer_id: str
    msisdn: str
    from_level: int
    to_level: int
    status: Status
    created_at: datetime
    documents: tuple[Document, ...]
    liveness: str = ""
    liveness_note: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    reason: str = ""
    change: str = ""  # the pending four-eyes change, when approval waits for a second admin

    def document(self, slot: str) -> Document | None:
        return next((d for d in self.documents if d.slot == slot), None)


def _from_hash(request_id: str, raw: Mapping[str, str]) -> UpgradeRequest:
    docs = tuple(
        Document(str(d["slot"]), Kind(d["kind"]), int(d["size"]))
        for d in json.loads(raw.get("documents") or "[]")
    )
    decided = raw.get("decided_at", "")
    return UpgradeRequest(
        request_id=request_id,
        customer_id=raw["customer_id"],
        msisdn=raw["msisdn"],
        from_level=int(raw["from_level"]),
        to_level=int(raw["to_level"]),
        status=Status(raw["status"]),
        created_at=datetime.fromtimestamp(float(raw["created"]), UTC),
        documents=docs,
        liveness=raw.get("liveness", ""),
        liveness_note=raw.get("liveness_note", ""),
        decided_by=raw.get("decided_by", ""),
        decided_at=datetime.fromtimestamp(float(decided), UTC) if decided else None,
        reason=raw.get("reason", ""),
        change=raw.get("change", ""),
    )


class RequestStore:
    def __init__(self, redis: Redis, ttl: timedelta = TTL) -> None:
        self.redis = redis
        self.ttl = ttl
        self._move = redis.register_script(_MOVE)

    def add(self, request: UpgradeRequest) -> None:
        key = REQUEST_KEY.format(request_id=request.request_id)
        seconds = int(self.ttl.total_seconds())
        docs = [{"slot": d.slot, "kind": d.kind.value, "size": d.size} for d in request.documents]
        pipe = self.redis.pipeline(transaction=False)  # keys in several slots
        pipe.hset(
            key,
            mapping={
                "customer_id": request.customer_id,
                "msisdn": request.msisdn,
                "from_level": str(request.from_level),
                "to_level": str(request.to_level),
                "status": request.status.value,
                "created": str(int(request.created_at.timestamp())),
                "documents": json.dumps(docs),
                "liveness": request.liveness,
                "liveness_note": request.liveness_note,
            },
        )
        pipe.expire(key, seconds)
        pipe.zadd(QUEUE_KEY, {request.request_id: int(request.created_at.timestamp())})
        pipe.set(OPEN_KEY.format(customer_id=request.customer_id), request.request_id, ex=seconds)
        pipe.execute()

    def get(self, request_id: str) -> UpgradeRequest | None:
        if not request_id or len(request_id) > 64:
            return None
        raw: dict[str, str] = self.redis.hgetall(REQUEST_KEY.format(request_id=request_id))  # type: ignore[assignment]
        return _from_hash(request_id, raw) if raw else None

    def open_of(self, customer_id: str) -> UpgradeRequest | None:
        """The customer's open request (pending or being approved), if any."""
        found = self.redis.get(OPEN_KEY.format(customer_id=customer_id))
        request = self.get(str(found)) if found else None
        return request if request is not None and request.status in OPEN else None

    def queue(self, limit: int = 200) -> list[UpgradeRequest]:
        """Open requests, oldest first; ids whose request expired are pruned."""
        ids: list[str] = self.redis.zrange(QUEUE_KEY, 0, limit - 1)  # type: ignore[assignment]
        found = []
        for request_id in ids:
            request = self.get(request_id)
            if request is None or request.status not in OPEN:
                self.redis.zrem(QUEUE_KEY, request_id)
                continue
            found.append(request)
        return found

    def count(self) -> int:
        return int(self.redis.zcard(QUEUE_KEY))

    def move(self, request_id: str, to: Status, *, from_: tuple[Status, ...]) -> None:
        """Move the request to ``to`` if it is in one of ``from_``; else ``NotOpen``."""
        key = REQUEST_KEY.format(request_id=request_id)
        moved = int(self._move(keys=[key], args=[to.value, *(s.value for s in from_)]))
        if moved != 1:
            current = self.get(request_id)
            raise NotOpen(current.status.value if current else "gone")

    def note(self, request: UpgradeRequest, **fields: str) -> UpgradeRequest:
        """Record decision facts (decided_by, decided_at as epoch, reason, change)."""
        key = REQUEST_KEY.format(request_id=request.request_id)
        if self.redis.exists(key):  # never resurrect an expired request without its TTL
            pipe = self.redis.pipeline()
            for name, value in fields.items():
                pipe.hset(key, name, value)
            pipe.execute()
        updated = self.get(request.request_id)
        return updated if updated is not None else replace(request)

    def close(self, request: UpgradeRequest) -> None:
        """Out of the queue and no longer the customer's open request."""
        self.redis.zrem(QUEUE_KEY, request.request_id)
        open_key = OPEN_KEY.format(customer_id=request.customer_id)
        if self.redis.get(open_key) == request.request_id:
            self.redis.delete(open_key)
