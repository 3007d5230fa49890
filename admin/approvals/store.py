"""Pending changes in Redis: what was proposed, by whom and from which version, and what became
of it. A change is ``pending`` until one staff member decides it: ``approved`` (applied),
``rejected`` (with a note) or ``superseded`` (its base changed meanwhile, so it could not be
applied as proposed).

Each change is one hash; two sorted sets index it (pending by proposal time, decided by decision
time). A decision claims the change in one Lua step (pending → deciding, only from pending), so
of two admins approving at once exactly one goes on to apply it; the other is told it is no
longer pending. The claim is then settled (deciding → approved | superseded) or handed back
(deciding → pending) when applying failed for a reason that changes nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from redis import Redis

from admin.approvals.kinds import Impact, ImpactLine

# Keys — value shape, lifetime (the {changes} hash tag keeps every key in one cluster slot, so
# the claim script can touch the change and both indexes):
CHANGE_KEY = "teller:{changes}:change:%s"  # hash: the fields of PendingChange; no TTL
PENDING_KEY = "teller:{changes}:pending"  # zset: change id → proposed at (epoch ms)
DECIDED_KEY = "teller:{changes}:decided"  # zset: change id → decided at (epoch ms)
RECENT = 200  # decided changes kept in the index (the audit stream keeps every decision)


class Status(StrEnum):
    PENDING = "pending"
    DECIDING = "deciding"  # claimed by one decision (decided_by, decided_at: by whom, when)
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


DECIDED = (Status.APPROVED, Status.REJECTED, Status.SUPERSEDED)


class NoSuchChange(Exception):
    """No change with that id."""


class NotPending(Exception):
    """The change was already decided (or is being decided); ``change`` is how it stands."""

    def __init__(self, change: PendingChange) -> None:
        super().__init__(f"change {change.change_id} is {change.status}")
        self.change = change


@dataclass(frozen=True)
class PendingChange:
    change_id: str
    kind: str
    target: str
    before: dict[str, Any] | None  # the target as it was when proposed (None: didn't exist)
    after: dict[str, Any]  # what was proposed
    base_version: int | None
    author: str
    reason: str
    created_at: datetime
    status: Status = Status.PENDING
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""  # the rejection's note, or what changed meanwhile when superseded
    impact: Impact | None = None  # the impact as the approver saw it (kept on approval)

    @property
    def pending(self) -> bool:
        return self.status is Status.PENDING


def change_to_dict(change: PendingChange) -> dict[str, Any]:
    """A change as JSON (the admin API's ``pending``)."""
    return {
        "id": change.change_id,
        "kind": change.kind,
        "target": change.target,
        "before": change.before,
        "after": change.after,
        "base_version": change.base_version,
        "author": change.author,
        "reason": change.reason,
        "created_at": change.created_at.isoformat(),
        "status": change.status.value,
        "decided_by": change.decided_by or None,
        "decided_at": change.decided_at.isoformat() if change.decided_at else None,
        "note": change.note,
        "impact": impact_to_dict(change.impact) if change.impact else None,
    }


def impact_to_dict(impact: Impact) -> dict[str, Any]:
    return {
        "days": impact.days,
        "what": impact.what,
        "note": impact.note,
        "lines": [
            {"label": x.label, "replayed": x.replayed, "before": x.before, "after": x.after}
            for x in impact.lines
        ],
        "total": impact.total,
    }


def impact_from_dict(raw: Mapping[str, Any]) -> Impact:
    lines = tuple(
        ImpactLine(x["label"], int(x["replayed"]), int(x["before"]), int(x["after"]))
        for x in raw.get("lines", [])
    )
    total = raw.get("total")
    return Impact(
        int(raw["days"]),
        str(raw["what"]),
        lines,
        str(raw.get("note", "")),
        int(total) if total is not None else None,
    )


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _encode(change: PendingChange) -> dict[str, str]:
    return {
        "id": change.change_id,
        "kind": change.kind,
        "target": change.target,
        "before": json.dumps(change.before, sort_keys=True),
        "after": json.dumps(change.after, sort_keys=True),
        "base_version": "" if change.base_version is None else str(change.base_version),
        "author": change.author,
        "reason": change.reason,
        "created_at": change.created_at.isoformat(),
        "status": change.status.value,
        "decided_by": change.decided_by,
        "decided_at": change.decided_at.isoformat() if change.decided_at else "",
        "note": change.note,
    }


def _decode(raw: Mapping[str, str]) -> PendingChange:
    return PendingChange(
        change_id=raw["id"],
        kind=raw["kind"],
        target=raw["target"],
        before=json.loads(raw["before"]),
        after=json.loads(raw["after"]),
        base_version=int(raw["base_version"]) if raw.get("base_version") else None,
        author=raw["author"],
        reason=raw.get("reason", ""),
        created_at=datetime.fromisoformat(raw["created_at"]),
        status=Status(raw["status"]),
        decided_by=raw.get("decided_by", ""),
        decided_at=datetime.fromisoformat(raw["decided_at"]) if raw.get("decided_at") else None,
        note=raw.get("note", ""),
        impact=impact_from_dict(json.loads(raw["impact"])) if raw.get("impact") else None,
    )


# Move a change from one status to another only if it is in the first: the claim that makes
# two simultaneous decisions come out as one. KEYS: change, pending, decided. ARGV: from, to,
# decided_by, decided_at (iso), decided_at (ms), note, recent. Returns 1 if moved, 0 if not in
# ``from``, -1 if there is no such change.
_MOVE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if status ~= ARGV[1] then return 0 end
local id = redis.call('HGET', KEYS[1], 'id')
redis.call('HSET', KEYS[1], 'status', ARGV[2])
if ARGV[2] == 'pending' or ARGV[2] == 'deciding' then
  if ARGV[2] == 'pending' then
    redis.call('HSET', KEYS[1], 'decided_by', '', 'decided_at', '', 'note', '')
  else
    redis.call('HSET', KEYS[1], 'decided_by', ARGV[3], 'decided_at', ARGV[4])
  end
  return 1
end
redis.call('HSET', KEYS[1], 'decided_by', ARGV[3], 'decided_at', ARGV[4], 'note', ARGV[6])
redis.call('ZREM', KEYS[2], id)
redis.call('ZADD', KEYS[3], ARGV[5], id)
local extra = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[7])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[3], 0, extra - 1)
  for _, gone in ipairs(old) do
    redis.call('ZREM', KEYS[3], gone)
  end
end
return 1
"""


class ChangeStore:
    """Reads and writes pending changes; Redis errors propagate (callers answer 503)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis  # str replies
        self._move = redis.register_script(_MOVE)

    def add(
        self,
        kind: str,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        base_version: int | None,
        author: str,
        reason: str,
        now: datetime,
    ) -> PendingChange:
        change = PendingChange(
            change_id=secrets.token_hex(8),
            kind=kind,
            target=target,
            before=dict(before) if before is not None else None,
            after=dict(after),
            base_version=base_version,
            author=author,
            reason=reason,
            created_at=now,
        )
        with self.redis.pipeline() as pipe:  # MULTI: never a change without its index entry
            pipe.hset(CHANGE_KEY % change.change_id, mapping=_encode(change))  # type: ignore[arg-type]
            pipe.zadd(PENDING_KEY, {change.change_id: _ms(now)})
            pipe.execute()
        return change

    def get(self, change_id: str) -> PendingChange:
        if not change_id.isalnum():
            raise NoSuchChange(change_id)
        raw: dict[str, str] = self.redis.hgetall(CHANGE_KEY % change_id)  # type: ignore[assignment]
        if not raw:
            raise NoSuchChange(change_id)
        return _decode(raw)

    def pending(self, limit: int = 100) -> list[PendingChange]:
        """Pending changes (and any being decided right now), oldest first."""
        ids: list[str] = self.redis.zrange(PENDING_KEY, 0, limit - 1)  # type: ignore[assignment]
        return self._load(ids)

    def pending_count(self) -> int:
        return int(self.redis.zcard(PENDING_KEY))

    def decided(self, limit: int = 50) -> list[PendingChange]:
        """The most recently decided changes, newest first."""
        ids: list[str] = self.redis.zrevrange(DECIDED_KEY, 0, limit - 1)  # type: ignore[assignment]
        return self._load(ids)

    def move(
        self,
        change_id: str,
        source: Status,
        to: Status,
        by: str = "",
        at: datetime | None = None,
        note: str = "",
    ) -> PendingChange:
        """Move the change from ``source`` to ``to`` atomically; ``NotPending`` (with the change
        as it stands) if it is no longer in ``source``, ``NoSuchChange`` if there is none."""
        moved = int(
            self._move(
                keys=[CHANGE_KEY % change_id, PENDING_KEY, DECIDED_KEY],
                args=[
                    source.value,
                    to.value,
                    by,
                    at.isoformat() if at else "",
                    _ms(at) if at else 0,
                    note,
                    RECENT,
                ],
            )
        )
        if moved < 0:
            raise NoSuchChange(change_id)
        change = self.get(change_id)
        if moved == 0:
            raise NotPending(change)
        return change

    def keep_impact(self, change_id: str, impact: Impact) -> None:
        """Keep the impact the approver saw with the decided change (for whoever reads it
        later: the replay itself moves on with the rules)."""
        self.redis.hset(CHANGE_KEY % change_id, "impact", json.dumps(impact_to_dict(impact)))

    def _load(self, ids: list[str]) -> list[PendingChange]:
        with self.redis.pipeline(transaction=False) as pipe:
            for change_id in ids:
                pipe.hgetall(CHANGE_KEY % change_id)
            found: list[dict[str, str]] = pipe.execute()
        return [_decode(raw) for raw in found if raw]
