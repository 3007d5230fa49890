"""The webhook's Redis store: MessageSid replies, the per-customer lock, the conversation record.

One inbound message costs two round trips: ``begin`` (the time of the customer's last message
for the 24-hour window, ``bot.window`` + replay check + lock + conversation read, and the
customer's session checked as the token service would, without sliding it) and ``commit``
(conversation write with a version check + the session slid if the message used it while valid
+ stored reply + unlock), each one Lua script so no other webhook can interleave. The session
part is the token service's own script function (``auth.stores.sessions``), so a secured intent
costs no third round trip. All of a customer's keys share the hash tag
``{+E164}``, so a Redis Cluster keeps them in one slot and the scripts stay legal there.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from redis import Redis
from redis.exceptions import RedisError

from auth.ports import TokenCheck
from auth.stores.languages import LANGUAGE_KEY
from auth.stores.sessions import CHECK_FUNCTION, Sessions, epoch, token_check
from bot.late_release import LateRelease
from bot.sealed import Sealer
from bot.window import KEEP_S, LAST_INBOUND_KEY

# Keys (all per customer, hash-tagged) — shape of each value, and how long it lives:
SID_KEY = "teller:{{{msisdn}}}:sid:{sid}"  # str: "" while in progress, then the sealed reply
LOCK_KEY = "teller:{{{msisdn}}}:lock"  # str: random token of the holder
CONV_KEY = "teller:{{{msisdn}}}:conv"  # hash: v (int version), doc (conversation JSON)
STATUS_KEY = "teller:delivery:{sid}"  # hash: status, error_code, updated_at (status callbacks)
STATUS_SEEN_KEY = "teller:delivery:{sid}:{status}"  # str "1": one callback per (sid, status)

REPLY_TTL_S = 48 * 3600  # Twilio retries for hours at most; keep replies two days
IN_PROGRESS_TTL_MS = 30_000  # a crashed handler frees its MessageSid after this
LOCK_TTL_MS = 10_000  # a crashed handler frees the customer after this
CONV_TTL_S = 7 * 24 * 3600  # idle reset is decided by the clock; the key outlives it
STATUS_TTL_S = 7 * 24 * 3600

# KEYS: sid, lock, conv, last inbound, language[, the session's six (Sessions.keys)];
# ARGV: token, lock ttl (ms), in-progress ttl (ms), now (epoch s: check the session; '': don't),
# the message's time (epoch s: the window opens; '': a resumed chat), the last inbound's ttl (s).
# 'ok' returns the version, the conversation, the language and, with a session check, its four
# values (read only: the commit slides the session if the message used it); 'busy' returns the
# language too, so the busy reply is written in it.
_BEGIN = (
    CHECK_FUNCTION
    + """
if ARGV[5] ~= '' then redis.call('SET', KEYS[4], ARGV[5], 'EX', ARGV[6]) end
local seen = redis.call('GET', KEYS[1])
if seen then return {'dup', seen} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[1], '', 'PX', ARGV[3])
  local conv = redis.call('HMGET', KEYS[3], 'v', 'doc')
  local out = {'ok', conv[1] or '0', conv[2] or '', redis.call('GET', KEYS[5]) or ''}
  if ARGV[4] ~= '' then
    local session = {KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]}
    local s = session_check(session, tonumber(ARGV[4]), 'peek')
    for i = 1, 4 do out[4 + i] = s[i] end
  end
  return out
end
return {'busy', redis.call('GET', KEYS[5]) or ''}
"""
)

# KEYS: sid, lock, conv[, the session's six]; ARGV: token, sealed reply, reply ttl (s), version,
# doc ('': unchanged),
# conversation ttl (s), now (epoch s: slide the session if it is still valid; '': don't).
_COMMIT = (
    CHECK_FUNCTION
    + """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'lost' end
local v = redis.call('HGET', KEYS[3], 'v') or '0'
if v ~= ARGV[4] then return 'stale' end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], 'v', tostring(tonumber(v) + 1), 'doc', ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
if ARGV[7] ~= '' then
  local session = {KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]}
  session_check(session, tonumber(ARGV[7]), '1')
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
return 'ok'
"""
)

_ABORT = """
if redis.call('GET', KEYS[1]) == '' then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
"""


@functools.lru_cache(maxsize=4096)
def customer_keys(msisdn: str) -> tuple[str, ...]:
    """The number's keys after its MessageSid's, in the begin script's order: lock, conv, last
    inbound, language (read with the rest), then the session's six (``Sessions.keys``). Only
    names, made from the number alone, are kept between messages: never a value."""
    return (
        LOCK_KEY.format(msisdn=msisdn),
        CONV_KEY.format(msisdn=msisdn),
        LAST_INBOUND_KEY.format(msisdn=msisdn),
        LANGUAGE_KEY.format(msisdn=msisdn),
        *Sessions.keys(msisdn),
    )


class BeginStatus(StrEnum):
    OK = "ok"  # this request owns the message and the customer's lock
    DUPLICATE = "dup"  # seen before: `reply` holds the first reply ("" while still in progress)
    BUSY = "busy"  # another message from this customer is being handled


@dataclass(frozen=True)
class Begin:
    status: BeginStatus
    lock_token: str = ""
    version: int = 0
    doc: str = ""  # the stored conversation JSON ("" when there is none)
    language: str = ""  # the number's language as stored (auth.stores.languages), "" for none
    reply: str = ""  # opened (plain TwiML)
    # The customer's session as the token service saw it when the message was claimed (not
    # slid: ``commit`` slides it when asked); None when begin wasn't asked to check it.
    session: TokenCheck | None = None


class EdgeStore:
    """Replay protection, per-customer serialisation and conversation persistence for the webhook.

    Fails closed: any Redis error propagates, and the edge answers "try again shortly" without
    having moved anything.
    """

    def __init__(self, redis: Redis, sealer: Sealer) -> None:
        self.redis = redis
        self.sealer = sealer  # replies may hold links and balances: never stored in the clear
        self._begin = redis.register_script(_BEGIN)
        self._commit = redis.register_script(_COMMIT)
        self._abort = redis.register_script(_ABORT)
        self.late = LateRelease()

    @staticmethod
    def keys(msisdn: str, sid: str, *, session: bool = False) -> list[str]:
        """sid, lock, conv[, the session's six]: the commit's and the abort's keys."""
        lock, conv, _, _, *session_keys = customer_keys(msisdn)
        found = [SID_KEY.format(msisdn=msisdn, sid=sid), lock, conv]
        return found + session_keys if session else found

    def begin(
        self,
        msisdn: str,
        sid: str,
        session_at: datetime | None = None,
        seen_at: datetime | None = None,
    ) -> Begin:
        """Claim the message and the customer; read the conversation and, given ``session_at``
        (now), check the customer's session as it stands then (one round trip). An inbound
        message gives ``seen_at``, its time: the customer's window opens from then (a retried or
        duplicate one too, for they did write; a resumed chat gives none)."""
        token = secrets.token_hex(16)
        check = session_at is not None
        known = customer_keys(msisdn)
        keys = [SID_KEY.format(msisdn=msisdn, sid=sid), *(known if check else known[:4])]
        result = self._begin(
            keys=keys,
            args=[
                token,
                LOCK_TTL_MS,
                IN_PROGRESS_TTL_MS,
                epoch(session_at) if session_at is not None else "",
                "" if seen_at is None else f"{seen_at.timestamp():.3f}",
                KEEP_S,
            ],
        )
        status = BeginStatus(result[0])
        if status is BeginStatus.DUPLICATE:
            return Begin(status, reply=self._open(result[1]))
        if status is BeginStatus.BUSY:
            return Begin(status, language=result[1])
        session = token_check(result[4:8]) if check else None
        return Begin(
            status,
            lock_token=token,
            version=int(result[1]),
            doc=result[2],
            language=result[3],
            session=session,
        )

    def commit(
        self,
        msisdn: str,
        sid: str,
        begin: Begin,
        reply: str,
        doc: str | None,
        slide_session_at: datetime | None = None,
    ) -> bool:
        """Store the reply and the new conversation (``None``: unchanged), slide the customer's
        session if ``slide_session_at`` (now) is given and it is still valid then, and release
        the lock.

        Returns False, storing nothing, when the lock expired or the record moved on meanwhile.
        """
        slide = slide_session_at is not None
        result = self._commit(
            keys=self.keys(msisdn, sid, session=slide),
            args=[
                begin.lock_token,
                self.sealer.seal(reply),
                REPLY_TTL_S,
                begin.version,
                doc or "",
                CONV_TTL_S,
                epoch(slide_session_at) if slide_session_at is not None else "",
            ],
        )
        return bool(result == "ok")

    def abort(self, msisdn: str, sid: str, begin: Begin) -> None:
        """Give the message back (a retry may process it) and release the lock."""
        self._abort(keys=self.keys(msisdn, sid), args=[begin.lock_token])

    def release(self, msisdn: str, sid: str, begin: Begin) -> None:
        """``abort`` after a failure: if Redis doesn't answer now, it is retried in the
        background until it does (``bot.late_release``), so the customer isn't held "busy"
        until the lock's TTL once Redis is back."""
        try:
            self.abort(msisdn, sid, begin)
        except RedisError:
            self.late.submit(lambda: self.abort(msisdn, sid, begin), LOCK_TTL_MS / 1000)

    def stored_reply(self, msisdn: str, sid: str) -> str | None:
        value = self.redis.get(SID_KEY.format(msisdn=msisdn, sid=sid))
        return None if value is None else self._open(str(value))

    def _open(self, stored: str) -> str:
        """A stored reply; "" while in progress, or if it can't be opened (SECRET_KEY rotated)."""
        return (self.sealer.open(stored) or "") if stored else ""

    def record_status(self, sid: str, status: str, error_code: str, at: str) -> bool:
        """Record a delivery status once per (sid, status); False when it was already seen."""
        seen = STATUS_SEEN_KEY.format(sid=sid, status=status)
        if not self.redis.set(seen, "1", nx=True, ex=STATUS_TTL_S):
            return False
        key = STATUS_KEY.format(sid=sid)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, mapping={"status": status, "error_code": error_code, "updated_at": at})
        pipe.expire(key, STATUS_TTL_S)
        pipe.execute()
        return True

    def delivery_status(self, sid: str) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.redis.hgetall(STATUS_KEY.format(sid=sid)).items()}

    def ping(self) -> bool:
        return bool(self.redis.ping())
