"""Lockouts (SECURITY.md 10): 5 consecutive failures block a credential for 15 minutes, doubling
on each repeat; a success resets the count; the block holds even for the right answer.

Credentials counted separately: ``pin`` (log in, change PIN), ``code`` (one-time codes) and
``details`` (personal details at registration). Fails closed: a Redis error propagates, and the
caller refuses the attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from redis import Redis
from redis.client import Pipeline

from messaging import metrics

# Keys (hash-tagged per customer) — value shape, lifetime:
FAIL_KEY = "teller:{{{msisdn}}}:fail:{kind}"  # int: consecutive failures; 1 day after the last
BLOCK_KEY = "teller:{{{msisdn}}}:block:{kind}"  # str: blocked-until (epoch s); until it passes
STRIKES_KEY = "teller:{{{msisdn}}}:strikes:{kind}"  # int: blocks so far; 30 days

MAX_FAILURES = 5
BASE_BLOCK = timedelta(minutes=15)
MAX_BLOCK = timedelta(hours=24)
FAIL_TTL_S = 24 * 3600
STRIKES_TTL_S = 30 * 24 * 3600


class Kind(StrEnum):
    PIN = "pin"
    CODE = "code"
    DETAILS = "details"


@dataclass(frozen=True)
class Strike:
    """The result of a failed attempt: tries left before a block, or the block it caused."""

    remaining: int
    blocked_until: datetime | None = None

    @property
    def last_try_next(self) -> bool:
        return self.blocked_until is None and self.remaining == 1


_FAIL = """
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
local now = tonumber(ARGV[1])
if blocked > now then return {0, tostring(blocked)} end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if n < tonumber(ARGV[2]) then return {tonumber(ARGV[2]) - n, ''} end
local strikes = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[6])
local length = math.min(tonumber(ARGV[4]) * 2 ^ (strikes - 1), tonumber(ARGV[5]))
blocked = now + length
redis.call('SET', KEYS[2], tostring(blocked), 'EX', math.floor(length) + 1)
redis.call('DEL', KEYS[1])
return {0, tostring(blocked)}
"""


@dataclass(frozen=True)
class Standing:
    """One credential kind's lockout state, as staff see it."""

    kind: Kind
    blocked_until: datetime | None  # a block in force, or None
    failures: int  # consecutive failures counted toward the next block
    strikes: int  # blocks in the last 30 days: each makes the next one longer

    @property
    def liftable(self) -> bool:
        return self.blocked_until is not None or self.failures > 0


def block_in_force(value: object, now: datetime) -> datetime | None:
    """What a stored ``BLOCK_KEY`` value means at ``now``: blocked until then, or None."""
    if value is None or float(str(value)) <= now.timestamp():
        return None
    return _from_epoch(str(value))


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _from_epoch(value: str | float) -> datetime:
    return datetime.fromtimestamp(float(value), UTC)


class Lockouts:
    """Failure counting and blocks per customer and credential kind."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._fail = redis.register_script(_FAIL)

    @staticmethod
    def keys(msisdn: str, kind: Kind) -> list[str]:
        return [
            FAIL_KEY.format(msisdn=msisdn, kind=kind),
            BLOCK_KEY.format(msisdn=msisdn, kind=kind),
            STRIKES_KEY.format(msisdn=msisdn, kind=kind),
        ]

    def blocked_until(self, msisdn: str, kind: Kind, now: datetime) -> datetime | None:
        return block_in_force(self.redis.get(BLOCK_KEY.format(msisdn=msisdn, kind=kind)), now)

    def any_block(self, msisdn: str, now: datetime) -> datetime | None:
        """The latest block across every credential kind, if one is in force."""
        values = self.redis.mget([BLOCK_KEY.format(msisdn=msisdn, kind=k) for k in Kind])
        active = [
            float(str(v)) for v in values if v is not None and float(str(v)) > now.timestamp()
        ]
        return _from_epoch(max(active)) if active else None

    def failure(self, msisdn: str, kind: Kind, now: datetime) -> Strike:
        """Count one failure; the fifth in a row blocks (atomic, so racing requests can't skip)."""
        remaining, until = self._fail(
            keys=self.keys(msisdn, kind),
            args=[
                _epoch(now),
                MAX_FAILURES,
                FAIL_TTL_S,
                int(BASE_BLOCK.total_seconds()),
                int(MAX_BLOCK.total_seconds()),
                STRIKES_TTL_S,
            ],
        )
        strike = Strike(int(remaining), _from_epoch(str(until)) if until else None)
        if strike.blocked_until is not None:
            metrics.lockout(kind.value)
        return strike

    def success(self, msisdn: str, kind: Kind, pipe: Pipeline | None = None) -> None:
        """Reset the failure count (queued on ``pipe`` when given)."""
        (pipe if pipe is not None else self.redis).delete(FAIL_KEY.format(msisdn=msisdn, kind=kind))

    def remaining(self, msisdn: str, kind: Kind) -> int:
        used = self.redis.get(FAIL_KEY.format(msisdn=msisdn, kind=kind))
        return MAX_FAILURES - int(str(used or 0))

    def standing(self, msisdn: str, now: datetime) -> list[Standing]:
        """Every kind's block, failure count and strikes, in one round trip."""
        keys = [key for kind in Kind for key in self.keys(msisdn, kind)]
        values = self.redis.mget(keys)
        found = []
        for i, kind in enumerate(Kind):
            fails, block, strikes = values[3 * i : 3 * i + 3]
            found.append(
                Standing(
                    kind, block_in_force(block, now), int(str(fails or 0)), int(str(strikes or 0))
                )
            )
        return found

    def lift(self, msisdn: str, kinds: Iterable[Kind] = tuple(Kind)) -> None:
        """Staff lift the blocks and failure counts of ``kinds`` (the strike count stays, so the
        next block is still longer)."""
        chosen = list(kinds)
        if chosen:
            self.redis.delete(
                *[BLOCK_KEY.format(msisdn=msisdn, kind=k) for k in chosen],
                *[FAIL_KEY.format(msisdn=msisdn, kind=k) for k in chosen],
            )

    def unblock(self, msisdn: str) -> None:
        """Staff lift every block (the strike count stays, so the next block is still longer)."""
        self.lift(msisdn)
