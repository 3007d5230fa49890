"""One-time codes sent by SMS or email (SECURITY.md 13-14): 6 random digits from ``secrets``,
stored only as a peppered HMAC bound to what the code is for, valid 5 minutes, accepted once,
5 wrong tries per code, at most 3 sends with a 30-second cooldown. A resend keeps the try count.

A code is bound to a *binding* string (the registration link, or a digest of an action's amount
and payee): verifying it against any other binding fails, so a code can't be moved to another
purpose or amount.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from redis import Redis
from redis.client import Pipeline

# Keys (hash-tagged per customer) — value shape, lifetime:
CODE_KEY = "teller:{{{msisdn}}}:code:{purpose}"
# hash: mac (HMAC of binding + code), expires (epoch s), tries (wrong answers), sends, last_sent
# (epoch s) — expires with the code.

CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
MAX_SENDS = 3
COOLDOWN = timedelta(seconds=30)


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # counted; see remaining (0: that was this code's last try)
    EXPIRED = "expired"  # none live: expired, used or never sent (another binding is WRONG)
    EXHAUSTED = "exhausted"  # this code had its 5 tries: ask for a new one


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    remaining: int = 0


class SendRefused(Exception):
    """No new code now: ``retry_after_s`` seconds of cooldown, or the send limit (0) reached."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("code not sent")
        self.retry_after_s = retry_after_s


# KEYS: code. ARGV: mac, now, expires, ttl_s, max_sends, cooldown_s. Returns sends or -wait / -0.
_ISSUE = """
local now = tonumber(ARGV[2])
local c = redis.call('HMGET', KEYS[1], 'sends', 'last_sent', 'expires')
local sends = tonumber(c[1] or '0')
if c[3] and tonumber(c[3]) <= now then sends = 0 end
if sends > 0 then
  if sends >= tonumber(ARGV[5]) then return {'limit', 0} end
  local wait = tonumber(c[2]) + tonumber(ARGV[6]) - now
  if wait > 0 then return {'cooldown', wait} end
else
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'tries', 0)
end
redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'expires', ARGV[3], 'sends', sends + 1,
           'last_sent', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {'sent', sends + 1}
"""

# KEYS: code. A send the messenger could not deliver neither counts toward the limit nor starts a
# cooldown. With no earlier send delivered the code is dropped (nobody has it); otherwise the tries
# stay, so a failed resend buys no guesses.
_UNSEND = """
local sends = tonumber(redis.call('HGET', KEYS[1], 'sends') or '0')
if sends <= 1 then return redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], 'sends', sends - 1, 'last_sent', 0)
return 1
"""

# KEYS: code. ARGV: candidate mac, now, max_tries, accept (0: even the right code counts as a
# wrong try — the other factors of the same attempt failed, so nothing may be consumed or told
# apart). The comparison happens here, on equal-length
# hex digests of an HMAC: no timing signal about the code itself can leak from it.
_VERIFY = """
local c = redis.call('HMGET', KEYS[1], 'mac', 'expires', 'tries')
if not c[1] or c[1] == '' or tonumber(c[2]) <= tonumber(ARGV[2]) then return {'expired', 0} end
local tries = tonumber(c[3] or '0')
if tries >= tonumber(ARGV[3]) then return {'exhausted', 0} end
if (c[1] == ARGV[1] or c[1] == ARGV[5]) and ARGV[4] == '1' then
  redis.call('DEL', KEYS[1])
  return {'accepted', 0}
end
tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
return {'wrong', tonumber(ARGV[3]) - tries}
"""


@dataclass(frozen=True)
class FreshCode:
    """A code not stored yet: ``key`` gets the hash above with ``mac``, ``expires``, tries 0,
    sends 1 and last_sent now (as a first ``issue`` would write it)."""

    key: str
    code: str = field(repr=False)
    mac: str = field(repr=False)
    expires: datetime


def key(msisdn: str, purpose: str) -> str:
    return CODE_KEY.format(msisdn=msisdn, purpose=purpose)


def _random_code(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


class Codes:
    def __init__(self, redis: Redis, pepper: str, previous_pepper: str | None = None) -> None:
        self.redis = redis
        self._pepper = pepper.encode()
        # During a PIN_PEPPER rotation a code issued just before it still verifies (minutes).
        self._previous = previous_pepper.encode() if previous_pepper else None
        self._issue = redis.register_script(_ISSUE)
        self._verify = redis.register_script(_VERIFY)
        self._unsend = redis.register_script(_UNSEND)

    def _mac(self, binding: str, code: str, pepper: bytes | None = None) -> str:
        message = f"{binding}\0{code}".encode()
        return hmac.new(pepper or self._pepper, message, hashlib.sha256).hexdigest()

    def issue(
        self,
        msisdn: str,
        purpose: str,
        binding: str,
        now: datetime,
        *,
        length: int = CODE_LENGTH,
        ttl: timedelta = CODE_TTL,
    ) -> tuple[str, datetime]:
        """A fresh code and when it expires; raises SendRefused (cooldown or send limit).

        A resend within the code's life keeps its try count: waiting out the cooldown never
        buys more guesses."""
        code = _random_code(length)
        expires = now + ttl
        status, value = self._issue(
            keys=[CODE_KEY.format(msisdn=msisdn, purpose=purpose)],
            args=[
                self._mac(binding, code),
                int(now.timestamp()),
                int(expires.timestamp()),
                int(ttl.total_seconds()),
                MAX_SENDS,
                int(COOLDOWN.total_seconds()),
            ],
        )
        if status != "sent":
            raise SendRefused(int(value))
        return code, expires

    def verify(
        self,
        msisdn: str,
        purpose: str,
        binding: str,
        code: str,
        now: datetime,
        *,
        accept: bool = True,
        length: int = CODE_LENGTH,
        max_tries: int = MAX_TRIES,
    ) -> Check:
        """Check a code; anything but 6 digits is a wrong try too (it is still a guess).

        ``accept=False`` when another factor of the same attempt was wrong: the code is then
        neither used up nor reported right, so the answer can't say which factor failed.
        """
        candidate = code.strip()
        if not (candidate.isascii() and candidate.isdigit() and len(candidate) == length):
            candidate = "invalid"
        status, remaining = self._verify(
            keys=[CODE_KEY.format(msisdn=msisdn, purpose=purpose)],
            args=[
                self._mac(binding, candidate),
                int(now.timestamp()),
                max_tries,
                "1" if accept else "0",
                self._mac(binding, candidate, self._previous) if self._previous else "",
            ],
        )
        return Check(Verdict(status), int(remaining))

    def unsend(self, msisdn: str, purpose: str) -> None:
        """The code just issued never reached the customer: take that send back."""
        self._unsend(keys=[CODE_KEY.format(msisdn=msisdn, purpose=purpose)])

    def discard(self, msisdn: str, purpose: str, pipe: Pipeline | None = None) -> None:
        """Drop the code (queued on ``pipe`` when given)."""
        (pipe if pipe is not None else self.redis).delete(key(msisdn, purpose))

    def fresh(
        self,
        msisdn: str,
        purpose: str,
        binding: str,
        now: datetime,
        *,
        length: int = CODE_LENGTH,
        ttl: timedelta = CODE_TTL,
    ) -> FreshCode:
        """A new code for a caller that stores it itself, replacing any other (its first send:
        a step-up's start does, in the same script that starts the challenge)."""
        code = _random_code(length)
        return FreshCode(key(msisdn, purpose), code, self._mac(binding, code), now + ttl)
