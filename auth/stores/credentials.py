"""Chat-banking credentials per customer: the chat-banking ID, the PIN hash, status, security
answers, the optional authenticator secret and the registration time.

The ID is unique case-insensitively: an index key maps its folded form to the owner's number and
is claimed with SET NX before the credentials are written, so two registrations can't take the
same ID. Nothing here hashes or checks a secret: ``auth.pins`` does, ``auth.service`` decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from redis import Redis
from redis.client import Pipeline

from auth.page_texts import say

# Keys — value shape, lifetime:
CRED_KEY = "teller:{{{msisdn}}}:cred"
# hash: customer_id, login_id, pin_hash, status, status_reason, status_until (epoch s or ""),
# registered_at (ISO), questions (JSON [{"id", "hash"}]), totp_secret, totp_step, dob_marks (JSON)
# — no TTL: credentials live until the customer is deregistered.
LOGIN_ID_KEY = "teller:login-id:{folded}"  # str: the owner's +E164; no TTL (a reservation: 30 min)
RESERVE_TTL_S = 30 * 60

LOGIN_ID = re.compile(r"[A-Za-z0-9._-]{6,20}")


class AccountStatus(StrEnum):
    REGISTERED = "registered"
    BLOCKED = "blocked"  # by staff, with a reason and an optional end
    LOST_PHONE = "lost_phone"  # reported lost: nothing works until staff restore it


BLOCKED_BY_BANK = frozenset({AccountStatus.BLOCKED, AccountStatus.LOST_PHONE})

# Change the status only of existing credentials whose status is one of ARGV[5..]; a plain HSET
# on credentials deleted meanwhile would leave a hash with a status and nothing else.
# ARGV: the new status, its reason, then the allowed current statuses. A staff status has no
# end. Returns the status it replaced, "" (no credentials) or "!<status>" (not allowed from it).
_TRANSITION = """
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return '' end
for i = 3, #ARGV do
  if ARGV[i] == current then
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'status_reason', ARGV[2], 'status_until', '')
    return current
  end
end
return '!' .. current
"""


class StatusRefused(Exception):
    """A status change that doesn't apply: no credentials (``current`` None), or a current status
    it can't be made from."""

    def __init__(self, current: AccountStatus | None) -> None:
        super().__init__(f"status change refused from {current}")
        self.current = current


class LoginIdTaken(Exception):
    """Another customer holds (or is registering) this chat-banking ID."""


@dataclass(frozen=True)
class Question:
    question_id: str
    answer_hash: str


@dataclass(frozen=True)
class Credentials:
    msisdn: str
    customer_id: str
    login_id: str
    pin_hash: str
    status: AccountStatus
    registered_at: datetime
    status_reason: str = ""
    status_until: datetime | None = None
    questions: tuple[Question, ...] = ()
    totp_secret: str = ""
    totp_step: int = 0  # the last accepted time step, never accepted again
    dob_marks: tuple[str, ...] = field(default=(), repr=False)


def login_id_problems(login_id: str, msisdn: str) -> list[str]:
    """Why a chosen chat-banking ID is refused, in the current language (empty when it is
    acceptable)."""
    if not LOGIN_ID.fullmatch(login_id):
        return [say("problem.login_id.format")]
    digits = "".join(ch for ch in msisdn if ch.isdigit())
    if login_id.isdigit() and (login_id in digits or digits.endswith(login_id.lstrip("0"))):
        return [say("problem.login_id.phone")]
    return []


def fold(login_id: str) -> str:
    return login_id.casefold()


def parse(msisdn: str, raw: dict[str, str]) -> Credentials:
    """Credentials from the fields of a ``CRED_KEY`` hash (non-empty)."""
    until = raw.get("status_until") or ""
    return Credentials(
        msisdn=msisdn,
        customer_id=raw["customer_id"],
        login_id=raw["login_id"],
        pin_hash=raw["pin_hash"],
        status=AccountStatus(raw["status"]),
        registered_at=datetime.fromisoformat(raw["registered_at"]),
        status_reason=raw.get("status_reason", ""),
        status_until=datetime.fromtimestamp(float(until), UTC) if until else None,
        questions=tuple(
            Question(q["id"], q["hash"]) for q in json.loads(raw.get("questions") or "[]")
        ),
        totp_secret=raw.get("totp_secret", ""),
        totp_step=int(raw.get("totp_step") or 0),
        dob_marks=tuple(json.loads(raw.get("dob_marks") or "[]")),
    )


class CredentialStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._transition = redis.register_script(_TRANSITION)

    def get(self, msisdn: str) -> Credentials | None:
        raw = self.redis.hgetall(CRED_KEY.format(msisdn=msisdn))
        return parse(msisdn, raw) if raw else None  # type: ignore[arg-type]

    def owner_of(self, login_id: str) -> str | None:
        value = self.redis.get(LOGIN_ID_KEY.format(folded=fold(login_id)))
        return None if value is None else str(value)

    def reserve_login_id(self, login_id: str, msisdn: str) -> None:
        """Hold an ID for a registration in progress; raise LoginIdTaken if someone else has it."""
        key = LOGIN_ID_KEY.format(folded=fold(login_id))
        if self.redis.set(key, msisdn, nx=True, ex=RESERVE_TTL_S):
            return
        if self.redis.get(key) != msisdn:
            raise LoginIdTaken(login_id)
        if int(self.redis.ttl(key)) > 0:  # still a reservation: renew it; an owned ID stays owned
            self.redis.expire(key, RESERVE_TTL_S)

    def release_login_id(self, login_id: str, msisdn: str) -> None:
        key = LOGIN_ID_KEY.format(folded=fold(login_id))
        if self.redis.get(key) == msisdn:
            self.redis.delete(key)

    def create(self, creds: Credentials) -> None:
        """Write new credentials; the ID must already be reserved for this number."""
        id_key = LOGIN_ID_KEY.format(folded=fold(creds.login_id))
        if self.redis.get(id_key) != creds.msisdn:
            raise LoginIdTaken(creds.login_id)
        self.redis.persist(id_key)
        key = CRED_KEY.format(msisdn=creds.msisdn)
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(key)
        pipe.hset(
            key,
            mapping={
                "customer_id": creds.customer_id,
                "login_id": creds.login_id,
                "pin_hash": creds.pin_hash,
                "status": creds.status.value,
                "status_reason": creds.status_reason,
                "status_until": "",
                "registered_at": creds.registered_at.isoformat(),
                "questions": json.dumps(
                    [{"id": q.question_id, "hash": q.answer_hash} for q in creds.questions]
                ),
                "totp_secret": creds.totp_secret,
                "totp_step": str(creds.totp_step),
                "dob_marks": json.dumps(list(creds.dob_marks)),
            },
        )
        pipe.execute()

    def change_login_id(self, msisdn: str, new: str) -> str:
        """Take ``new`` as this customer's ID (atomically: SET NX) and free the old one; returns
        the old ID. Raises LoginIdTaken when someone else holds ``new``."""
        key = CRED_KEY.format(msisdn=msisdn)
        old = str(self.redis.hget(key, "login_id") or "")
        new_key = LOGIN_ID_KEY.format(folded=fold(new))
        if fold(new) != fold(old) and not self.redis.set(new_key, msisdn, nx=True):
            if self.redis.get(new_key) != msisdn:
                raise LoginIdTaken(new)
            self.redis.persist(new_key)  # our own reservation becomes ownership
        self.redis.hset(key, "login_id", new)
        if old and fold(new) != fold(old):
            self.release_login_id(old, msisdn)
        return old

    def personal_limit(self, msisdn: str) -> Decimal | None:
        return self.limit_facts(msisdn)[1]

    def limit_facts(self, msisdn: str) -> tuple[datetime | None, Decimal | None]:
        """(registered at, the customer's own daily limit) in one round trip: what the daily
        cap is made of, asked on every step of a payment."""
        key = CRED_KEY.format(msisdn=msisdn)
        return self.limit_facts_of(self.redis.hmget(key, ["registered_at", "daily_limit"]))

    @staticmethod
    def queue_limit_facts(pipe: Pipeline, msisdn: str) -> None:
        """``limit_facts``'s read, queued on ``pipe`` (``limit_facts_of`` reads its answer)."""
        pipe.hmget(CRED_KEY.format(msisdn=msisdn), ["registered_at", "daily_limit"])

    @staticmethod
    def limit_facts_of(values: Sequence[object]) -> tuple[datetime | None, Decimal | None]:
        registered, limit = values
        return (
            datetime.fromisoformat(str(registered)) if registered else None,
            Decimal(str(limit)) if limit else None,
        )

    def set_personal_limit(self, msisdn: str, limit: Decimal | None) -> None:
        key = CRED_KEY.format(msisdn=msisdn)
        if not self.redis.exists(key):  # no credentials: nothing to attach a limit to
            return
        if limit is None:
            self.redis.hdel(key, "daily_limit")
        else:
            self.redis.hset(key, "daily_limit", f"{limit:.2f}")

    def set_answer_hashes(self, msisdn: str, hashes: dict[str, str]) -> None:
        """Replace the stored hashes of some security answers (by question id), keeping the
        questions: a rehash under a new pepper after they were answered right."""
        creds = self.get(msisdn)
        if creds is None or not hashes:
            return
        questions = [
            {"id": q.question_id, "hash": hashes.get(q.question_id, q.answer_hash)}
            for q in creds.questions
        ]
        self.redis.hset(CRED_KEY.format(msisdn=msisdn), "questions", json.dumps(questions))

    def set_pin_hash(self, msisdn: str, pin_hash: str) -> None:
        self.redis.hset(CRED_KEY.format(msisdn=msisdn), "pin_hash", pin_hash)

    def set_status(
        self,
        msisdn: str,
        status: AccountStatus,
        reason: str = "",
        until: datetime | None = None,
    ) -> None:
        self.redis.hset(
            CRED_KEY.format(msisdn=msisdn),
            mapping={
                "status": status.value,
                "status_reason": reason,
                "status_until": str(int(until.timestamp())) if until else "",
            },
        )

    def transition(
        self,
        msisdn: str,
        allowed_from: frozenset[AccountStatus],
        status: AccountStatus,
        reason: str = "",
    ) -> AccountStatus:
        """Set ``status`` atomically if the current one is in ``allowed_from``; returns the one it
        replaced. Raises StatusRefused (with the current status, None without credentials)."""
        found = str(
            self._transition(
                keys=[CRED_KEY.format(msisdn=msisdn)],
                args=[status.value, reason, *sorted(s.value for s in allowed_from)],
            )
        )
        if not found:
            raise StatusRefused(None)
        if found.startswith("!"):
            raise StatusRefused(AccountStatus(found[1:]))
        return AccountStatus(found)

    def accept_totp_step(self, msisdn: str, step: int) -> bool:
        """Record ``step`` as used if it is newer than the last accepted one (atomic)."""
        script = self.redis.register_script(
            "local last = tonumber(redis.call('HGET', KEYS[1], 'totp_step') or '0') "
            "if tonumber(ARGV[1]) <= last then return 0 end "
            "redis.call('HSET', KEYS[1], 'totp_step', ARGV[1]) return 1"
        )
        return bool(script(keys=[CRED_KEY.format(msisdn=msisdn)], args=[step]))

    def delete(self, msisdn: str) -> None:
        creds = self.get(msisdn)
        if creds is not None:
            self.release_login_id(creds.login_id, msisdn)
        self.redis.delete(CRED_KEY.format(msisdn=msisdn))
