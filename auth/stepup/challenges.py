"""The customer's one live step-up challenge (SECURITY.md 12-15), as a record in Redis: its type
and the usable types after it, the digest of the request it is bound to, its tries, and whether
it has passed. Starting a challenge replaces the previous one, whose answers stop working.

Codes themselves live in ``auth.stores.codes`` (hashed, bound to the same digest);
authenticator steps in the credentials (each accepted once); security questions are answered on
a secure page.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis
from redis.client import Pipeline

from auth.ports import StepUpRequest
from auth.scenarios.model import ChallengeType
from auth.stores import codes
from auth.stores.codes import FreshCode

# Keys (hash-tagged per customer) — value shape, lifetime:
CHALLENGE_KEY = "teller:{{{msisdn}}}:stepup"
# hash: id, kind, options (JSON list of the usable types, in order), binding (sha256 of the
# request), action, amount (currency and amount, for the audit), status (pending|passed),
# tries, questions (JSON list of 2 question ids), expires (epoch s) — as long as the challenge
# lives.

STARTS_KEY = "teller:{{{msisdn}}}:stepup:starts"
# sorted set: the digests (``binding``) of the requests a challenge was started for, scored by
# when the first one started (epoch s) — the last hour's, trimmed by each start.
REPEATS_KEY = "teller:{{{msisdn}}}:stepup:repeats"
# hash: digest → challenges started for that request in the hour (a resend is not a start; a
# switch to another way, a start again after a login or a cancel is) — trimmed with STARTS_KEY.

STARTS_WINDOW_S = 3600  # the throttle's sliding hour
STARTS_PER_HOUR = 10  # distinct requests challenged an hour (STEPUP_STARTS_PER_HOUR: 3-60)
# Starts for one request an hour: every way once (4) and a start again after a login. Each
# may send a code (3 sends at most), so this bounds the messages one request can cause.
REPEATS_PER_REQUEST = 6

QUESTIONS_TTL = timedelta(minutes=10)
CODE_PURPOSE = "stepup"  # the purpose of a step-up's code in auth.stores.codes

# Pass only the pending challenge with this id (an older or newer one is another challenge).
_MARK_PASSED = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'passed')
return 1
"""

# Start a challenge in one round trip, all in the customer's slot. KEYS: the starts (STARTS_KEY),
# the step-up code (auth.stores.codes), the challenge, the repeats (REPEATS_KEY), the code's
# resend cooldown (auth.stores.codes). ARGV: now (epoch s), the window (s), the distinct requests
# allowed in it, the starts allowed per request, the request's digest, the challenge's TTL (s),
# its first code as JSON [mac, expires (epoch s), TTL (s), now (epoch s), cooldown (s)] or '' for
# a type with no code, then the challenge's fields as name/value
# pairs. The throttle counts *requests*, not starts: a digest seen in the window counts once
# (the customer switching way, or starting again after a login, is the same request); a new one
# past the limit is refused, and so is a request started too often. A refused start changes
# nothing else. Otherwise the previous challenge and its code are gone, the new challenge is
# stored and, for a code type, its code with 0 tries and 1 send and its cooldown (as Codes.issue
# would).
# Returns {'started', 0} or {'requests' | 'repeats', seconds until one can start}.
_START = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local digest = ARGV[5]
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
if #old > 0 then
  redis.call('ZREM', KEYS[1], unpack(old))
  redis.call('HDEL', KEYS[4], unpack(old))
end
local first = redis.call('ZSCORE', KEYS[1], digest)
if not first then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {'requests', tonumber(oldest[2]) + window - now}
  end
  first = now
elseif tonumber(redis.call('HGET', KEYS[4], digest) or '0') >= tonumber(ARGV[4]) then
  return {'repeats', tonumber(first) + window - now}
end
redis.call('ZADD', KEYS[1], first, digest)
redis.call('HINCRBY', KEYS[4], digest, 1)
redis.call('EXPIRE', KEYS[1], window + 1)
redis.call('EXPIRE', KEYS[4], window + 1)
redis.call('DEL', KEYS[2], KEYS[3])
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[3], unpack(fields))
redis.call('EXPIRE', KEYS[3], ARGV[6])
if ARGV[7] ~= '' then
  local code = cjson.decode(ARGV[7])
  redis.call('HSET', KEYS[2], 'tries', 0, 'mac', code[1], 'expires', code[2], 'sends', 1,
             'last_sent', code[4])
  redis.call('EXPIRE', KEYS[2], code[3])
  redis.call('SET', KEYS[5], '1', 'EX', code[5])
else
  redis.call('DEL', KEYS[5])
end
return {'started', 0}
"""


class StartsThrottled(Exception):
    """Too many step-ups started this hour: ``retry_after_s`` until the next one may start;
    ``why`` is ``requests`` (distinct requests) or ``repeats`` (this one, too often)."""

    def __init__(self, why: str, retry_after_s: int) -> None:
        super().__init__(f"step-up starts throttled ({why})")
        self.why = why
        self.retry_after_s = max(1, retry_after_s)


# Delete the challenge only if it passed and is bound to this request: true for one caller.
_CONSUME = """
if redis.call('HGET', KEYS[1], 'status') ~= 'passed' then return 0 end
if redis.call('HGET', KEYS[1], 'binding') ~= ARGV[1] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'expires')) <= tonumber(ARGV[2]) then return 0 end
return redis.call('DEL', KEYS[1])
"""


def binding(request: StepUpRequest) -> str:
    """The digest a challenge is bound to: any change of action, amount, payee, account or
    destination gives another digest (``force`` changes whether to challenge, not what is
    approved)."""
    parts = (
        request.action,
        request.amount,
        request.currency,
        request.payee,
        request.account,
        request.destination,
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Challenge:
    challenge_id: str
    kind: ChallengeType
    options: tuple[ChallengeType, ...]  # the usable types in order; ``kind`` is one of them
    binding: str
    action: str
    status: str
    tries: int
    expires_at: datetime
    questions: tuple[str, ...] = ()
    amount: str = ""  # for the audit stream: "USD 150.00", or "" for no money

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def others(self) -> tuple[str, ...]:
        """The other ways this challenge can switch to (``other``), in the order offered."""
        return tuple(o.value for o in self.options if o is not self.kind)


def live(raw: dict[str, str], now: datetime) -> Challenge | None:
    """The challenge a ``CHALLENGE_KEY`` hash holds, if it is still live at ``now``."""
    if not raw or "id" not in raw or float(raw["expires"]) <= now.timestamp():
        return None
    return Challenge(
        challenge_id=raw["id"],
        kind=ChallengeType(raw["kind"]),
        options=tuple(ChallengeType(o) for o in json.loads(raw["options"])),
        binding=raw["binding"],
        action=raw["action"],
        status=raw["status"],
        tries=int(raw.get("tries") or 0),
        expires_at=datetime.fromtimestamp(float(raw["expires"]), UTC),
        questions=tuple(json.loads(raw.get("questions") or "[]")),
        amount=raw.get("amount", ""),
    )


class ChallengeStore:
    """Redis errors propagate: callers fail closed."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._pass = redis.register_script(_MARK_PASSED)
        self._consume = redis.register_script(_CONSUME)
        self._start = redis.register_script(_START)

    @staticmethod
    def key(msisdn: str) -> str:
        return CHALLENGE_KEY.format(msisdn=msisdn)

    def start(
        self,
        msisdn: str,
        kind: ChallengeType,
        options: tuple[ChallengeType, ...],
        request: StepUpRequest,
        now: datetime,
        ttl: timedelta,
        questions: tuple[str, ...] = (),
        *,
        starts_per_hour: int = STARTS_PER_HOUR,
        code: FreshCode | None = None,
    ) -> Challenge:
        """A new challenge, replacing any earlier one and its code, in one round trip: its
        request counted first among the hour's distinct requests (StartsThrottled past
        ``starts_per_hour``, or for a request started too often: then nothing else changed),
        and with ``code`` stored as its first send when the type has one."""
        challenge = Challenge(
            challenge_id=secrets.token_hex(8),
            kind=kind,
            options=options,
            binding=binding(request),
            action=request.action,
            status="pending",
            tries=0,
            expires_at=now + ttl,
            questions=questions,
            amount=f"{request.currency} {request.amount}".strip() if request.amount else "",
        )
        fields: dict[str, str | int] = {
            "id": challenge.challenge_id,
            "kind": kind.value,
            "options": json.dumps([o.value for o in options]),
            "binding": challenge.binding,
            "action": request.action,
            "amount": challenge.amount,
            "status": "pending",
            "tries": 0,
            "questions": json.dumps(list(questions)),
            "expires": int(challenge.expires_at.timestamp()),
        }
        first = ""
        if code is not None:
            ttl_s = max(1, int((code.expires - now).total_seconds()))
            expires = int(code.expires.timestamp())
            first = json.dumps([code.mac, expires, ttl_s, int(now.timestamp()), code.cooldown_s])
        status, wait = self._start(
            keys=[
                STARTS_KEY.format(msisdn=msisdn),
                code.key if code is not None else codes.key(msisdn, CODE_PURPOSE),
                self.key(msisdn),
                REPEATS_KEY.format(msisdn=msisdn),
                code.cooldown_key if code is not None else codes.cooldown_key(msisdn, CODE_PURPOSE),
            ],
            args=[
                int(now.timestamp()),
                STARTS_WINDOW_S,
                starts_per_hour,
                REPEATS_PER_REQUEST,
                challenge.binding,
                max(1, int(ttl.total_seconds())),
                first,
                *[part for pair in fields.items() for part in pair],
            ],
        )
        if status != "started":
            raise StartsThrottled(str(status), int(wait))
        return challenge

    def get(self, msisdn: str, now: datetime) -> Challenge | None:
        """The live challenge (pending or passed), or None."""
        raw: dict[str, str] = self.redis.hgetall(self.key(msisdn))  # type: ignore[assignment]
        return live(raw, now)

    def wrong_try(self, msisdn: str, max_tries: int) -> int:
        """Count a wrong answer; returns the tries left on this challenge."""
        used = int(self.redis.hincrby(self.key(msisdn), "tries", 1))
        return max(max_tries - used, 0)

    def mark_passed(self, msisdn: str, challenge_id: str) -> bool:
        return bool(self._pass(keys=[self.key(msisdn)], args=[challenge_id]))

    def consume_passed(self, msisdn: str, request: StepUpRequest, now: datetime) -> bool:
        """True exactly once for a passed challenge bound to this request; it is then gone."""
        args: list[str | int] = [binding(request), int(now.timestamp())]
        return bool(self._consume(keys=[self.key(msisdn)], args=args))

    def end(self, msisdn: str, pipe: Pipeline | None = None) -> None:
        """The challenge is over (queued on ``pipe`` when given)."""
        (pipe if pipe is not None else self.redis).delete(self.key(msisdn))
