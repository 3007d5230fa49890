"""The token service: one chat-banking session per customer, checked before every secured action.

``check`` answers ``valid`` (and slides the idle expiry), ``expired``, ``missing`` or ``blocked``
in one Redis round trip (a Lua script that also reads the customer's status and lockouts). The
session token is 256 bits from ``secrets``; only its SHA-256 digest is stored, it is replaced at
every login and deleted at logout. Expiry is decided here, by the server's clock passed in,
and the idle limit also by a key with the idle time as its Redis TTL (a clock set back can't
stretch it).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from redis import Redis

from auth.ports import Status, TokenCheck
from auth.stores.credentials import CRED_KEY
from auth.stores.lockout import BLOCK_KEY, Kind

# Keys (hash-tagged per customer) — value shape, lifetime:
SESSION_KEY = "teller:{{{msisdn}}}:session"
# hash: digest (sha256 of the token), created (epoch s), seen (epoch s), idle (s), absolute (s);
# kept a day past its absolute end so a late check still answers "expired", not "missing".
RETAIN_S = 24 * 3600
ALIVE_KEY = "teller:{{{msisdn}}}:session:alive"
# str "1" with the idle time as its TTL, renewed at each valid check: the idle limit on Redis's
# own clock too, so a server clock set back can't stretch a session's idle time.

IDLE = timedelta(minutes=5)
ABSOLUTE = timedelta(hours=12)


# The check as a Lua function, so that the webhook's claim script (``bot.store``) can run it in
# the same round trip as the claim, and its commit script can slide the session there too.
# K: the six keys of ``Sessions.keys`` (session, credentials, block:pin, block:code,
# block:details, alive); now: epoch s (a number); mode: '1' slides the idle expiry of a valid
# session, '0' only reads, 'peek' only reads but answers the expiry a slide now would give.
# Returns {status, until (epoch s or ''), registered, blocked by (a lockout's kind or 'bank')}:
# for a block, until is when it ends ('' for a staff block with no end); the latest lockout wins.
CHECK_FUNCTION = """
local function session_check(K, now, mode)
  local cred = redis.call('HMGET', K[2], 'status', 'status_until')
  local registered = cred[1] and 1 or 0
  if cred[1] == 'blocked' or cred[1] == 'lost_phone' then
    if not cred[2] or cred[2] == '' or tonumber(cred[2]) > now then
      return {'blocked', cred[2] or '', registered, 'bank'}
    end
  end
  local kinds = {'pin', 'code', 'details'}
  local latest, by = 0, ''
  for i = 3, 5 do
    local untilv = tonumber(redis.call('GET', K[i]) or '0')
    if untilv > now and untilv > latest then latest, by = untilv, kinds[i - 2] end
  end
  if by ~= '' then return {'blocked', tostring(latest), registered, by} end
  local s = redis.call('HMGET', K[1], 'digest', 'created', 'seen', 'idle', 'absolute')
  if not s[1] then return {'missing', '', registered, ''} end
  local idle_end = tonumber(s[3]) + tonumber(s[4])
  local hard_end = tonumber(s[2]) + tonumber(s[5])
  local alive = redis.call('EXISTS', K[6]) == 1
  if s[1] == '' or now >= idle_end or now >= hard_end or not alive then
    if s[1] ~= '' then redis.call('HSET', K[1], 'digest', '') end
    return {'expired', tostring(math.min(idle_end, hard_end)), registered, ''}
  end
  if mode == '1' then
    redis.call('HSET', K[1], 'seen', tostring(now))
    redis.call('EXPIRE', K[6], tonumber(s[4]))
  end
  if mode ~= '0' then idle_end = now + tonumber(s[4]) end
  return {'valid', tostring(math.min(idle_end, hard_end)), registered, ''}
end
"""

# KEYS: as K above; ARGV: now (epoch s), mode ('1': slide the idle expiry on a valid check)
_CHECK = CHECK_FUNCTION + "return session_check(KEYS, tonumber(ARGV[1]), ARGV[2])"


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def epoch(at: datetime) -> int:
    """``now`` as ``CHECK_FUNCTION`` takes it."""
    return _epoch(at)


def token_check(result: Sequence[object]) -> TokenCheck:
    """``CHECK_FUNCTION``'s four values as the port's answer."""
    status, until, registered, by = (str(value) for value in result)
    at = datetime.fromtimestamp(float(until), UTC) if until else None
    if status == Status.BLOCKED:
        return TokenCheck(Status.BLOCKED, None, bool(int(registered)), at, by)
    return TokenCheck(Status(status), at, bool(int(registered)))


class Sessions:
    """Creates, checks and ends sessions. Redis errors propagate: the caller fails closed."""

    def __init__(
        self, redis: Redis, idle: timedelta = IDLE, absolute: timedelta = ABSOLUTE
    ) -> None:
        self.redis = redis
        self.idle = idle
        self.absolute = absolute
        self._check = redis.register_script(_CHECK)

    @staticmethod
    def keys(msisdn: str) -> list[str]:
        return [
            SESSION_KEY.format(msisdn=msisdn),
            CRED_KEY.format(msisdn=msisdn),
            *(BLOCK_KEY.format(msisdn=msisdn, kind=kind) for kind in Kind),
            ALIVE_KEY.format(msisdn=msisdn),
        ]

    def check(self, msisdn: str, now: datetime, *, extend: bool = True) -> TokenCheck:
        """The customer's session status; ``valid`` extends it unless ``extend`` is False."""
        result = self._check(keys=self.keys(msisdn), args=[_epoch(now), "1" if extend else "0"])
        return token_check(result)

    def create(self, msisdn: str, now: datetime) -> str:
        """Start a new session (replacing any old one) and return its token."""
        token = secrets.token_urlsafe(32)
        key = SESSION_KEY.format(msisdn=msisdn)
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(key)
        pipe.hset(
            key,
            mapping={
                "digest": hashlib.sha256(token.encode()).hexdigest(),
                "created": _epoch(now),
                "seen": _epoch(now),
                "idle": int(self.idle.total_seconds()),
                "absolute": int(self.absolute.total_seconds()),
            },
        )
        pipe.expire(key, int(self.absolute.total_seconds()) + RETAIN_S)
        pipe.set(ALIVE_KEY.format(msisdn=msisdn), "1", ex=int(self.idle.total_seconds()))
        pipe.execute()
        return token

    def revoke(self, msisdn: str) -> bool:
        """End the session; True when there was one to end."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(SESSION_KEY.format(msisdn=msisdn))
        pipe.delete(ALIVE_KEY.format(msisdn=msisdn))
        return bool(pipe.execute()[0])
