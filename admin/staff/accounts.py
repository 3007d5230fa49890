"""Staff accounts in Redis: who they are, their role, their password and authenticator, the
one-time set-up link an admin (or ``flask admin create-user``) hands out, and the lockout after
five failed sign-ins.

Keys (one hash tag, ``{staff}``, so the multi-key steps stay in one cluster slot):
``teller:{staff}:users`` a set of usernames; ``teller:{staff}:user:<username>`` a hash
(role, status, created_at, created_by, password: the argon2id hash, totp: the authenticator
secret encrypted with a key derived from SECRET_KEY, totp_pending while being set up,
totp_step: the last accepted time step, last_login_at, setup: the digest of the current set-up
token); ``teller:{staff}:setup:<digest>`` → username, for ``SETUP_TTL``;
``teller:{staff}:fails:<username>`` the consecutive failures and ``teller:{staff}:lock:<username>``
the lockout's end (epoch seconds), both with TTLs. Failures are counted for any name typed, so
the answer to a wrong sign-in never tells whether the user exists (SECURITY.md 11).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from redis import Redis

from admin.staff.passwords import PURPOSE, password_problems
from admin.staff.roles import Role
from admin.staff.sessions import StaffSessions
from auth.pins import SecretHasher

USERS = "teller:{staff}:users"
USER = "teller:{staff}:user:"
SETUP = "teller:{staff}:setup:"
FAILS = "teller:{staff}:fails:"
LOCK = "teller:{staff}:lock:"
SETUP_TTL = timedelta(hours=24)
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")
USERNAME_RULE = "3-32 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
ISSUER = "Teller console"


class StaffStatus(StrEnum):
    SETUP = "setup"  # created; the set-up link not used to the end yet
    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: Role
    status: StaffStatus
    created_at: datetime
    created_by: str
    last_login_at: datetime | None = None
    locked_until: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is StaffStatus.ACTIVE


class StaffProblem(Exception):
    """A request the accounts refuse; ``problems`` each start with their field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in: the user, or why not (``locked_until`` when locked)."""

    user: StaffUser | None
    locked_until: datetime | None = None
    remaining: int = MAX_FAILURES


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _when(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _box(secret_key: str) -> Fernet:
    """The authenticator secrets' cipher: a key derived from SECRET_KEY for this use only."""
    key = hmac.new(secret_key.encode(), b"teller staff authenticator", hashlib.sha256)
    return Fernet(base64.urlsafe_b64encode(key.digest()))


class StaffAccounts:
    """Every staff account; time from ``clock``, secrets hashed or encrypted before storing."""

    def __init__(
        self,
        redis: Redis,
        hasher: SecretHasher,
        secret_key: str,
        base_url: str,
        clock: Callable[[], datetime],
        bank_name: str = "",
        previous_secret_key: str | None = None,
    ) -> None:
        self.redis = redis
        self.sessions = StaffSessions(redis, clock)
        self.hasher = hasher
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.bank_name = bank_name
        # Sealed with the current key; during a SECRET_KEY rotation the previous one still opens
        # (MultiFernet), and a sign-in reseals with the current one.
        self._current = _box(secret_key)
        boxes = [self._current] + ([_box(previous_secret_key)] if previous_secret_key else [])
        self._box = MultiFernet(boxes)
        self._rotating = previous_secret_key is not None

    # --- reading ---

    def get(self, username: str) -> StaffUser | None:
        raw: dict[str, str] = self.redis.hgetall(USER + username)  # type: ignore[assignment]
        if not raw:
            return None
        return StaffUser(
            username=username,
            role=Role(raw["role"]),
            status=StaffStatus(raw["status"]),
            created_at=datetime.fromisoformat(raw["created_at"]),
            created_by=raw.get("created_by", ""),
            last_login_at=_when(raw.get("last_login_at")),
            locked_until=self.locked_until(username),
        )

    def all(self) -> list[StaffUser]:
        names: set[str] = self.redis.smembers(USERS)  # type: ignore[assignment]
        found = (self.get(name) for name in sorted(names))
        return [user for user in found if user is not None]

    def admins(self) -> list[StaffUser]:
        return [u for u in self.all() if u.role is Role.ADMIN and u.active]

    def setup_url(self, token: str) -> str:
        return f"{self.base_url}/admin/setup/{token}"

    # --- an admin's changes ---

    def create(self, username: str, role: Role, by: str) -> str:
        """A new account waiting for its set-up link (returned: show it once)."""
        if not USERNAME.fullmatch(username):
            raise StaffProblem([f"username: {USERNAME_RULE}"])
        now = self.clock().isoformat()
        if not self.redis.hsetnx(USER + username, "role", role.value):
            raise StaffProblem([f"username: {username!r} is taken; choose another"])
        self.redis.hset(
            USER + username,
            mapping={"status": StaffStatus.SETUP.value, "created_at": now, "created_by": by},
        )
        self.redis.sadd(USERS, username)
        return self._new_setup(username)

    def set_role(self, username: str, role: Role, by: str) -> StaffUser:
        user = self._existing(username)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            self._keep_an_admin(user, "role")
        self.redis.hset(USER + username, "role", role.value)
        self.sessions.end_all(username)  # the new role applies from their next sign-in
        return self._existing(username)

    def disable(self, username: str, by: str) -> StaffUser:
        user = self._existing(username)
        if user.role is Role.ADMIN:
            self._keep_an_admin(user, "status")
        self.redis.hset(USER + username, "status", StaffStatus.DISABLED.value)
        self.sessions.end_all(username)
        return self._existing(username)

    def enable(self, username: str, by: str) -> StaffUser:
        raw = self.redis.hmget(USER + username, ["status", "password", "totp"])
        if raw[0] is None:
            raise StaffProblem([f"username: no staff user {username!r}"])
        ready = raw[1] and raw[2]
        status = StaffStatus.ACTIVE if ready else StaffStatus.SETUP
        self.redis.hset(USER + username, "status", status.value)
        return self._existing(username)

    def reset(self, username: str, by: str) -> str:
        """A new set-up link; the password and authenticator are cleared until it is used."""
        self._existing(username)
        self.redis.hdel(USER + username, "password", "totp", "totp_pending", "totp_step")
        self.redis.hset(USER + username, "status", StaffStatus.SETUP.value)
        self.sessions.end_all(username)
        self.unlock(username)
        return self._new_setup(username)

    def unlock(self, username: str) -> None:
        self.redis.delete(FAILS + username, LOCK + username)

    # --- the set-up link ---

    def open_setup(self, token: str) -> StaffUser | None:
        """The user a live set-up link belongs to (None: expired, used or unknown)."""
        username = self.redis.get(SETUP + _digest(token))
        if not isinstance(username, str):
            return None
        user = self.get(username)
        if user is None or user.status is not StaffStatus.SETUP:
            return None
        if self.redis.hget(USER + username, "setup") != _digest(token):
            return None  # a newer link replaced this one
        return user

    def has_password(self, username: str) -> bool:
        return bool(self.redis.hexists(USER + username, "password"))

    def choose_password(self, token: str, password: str, again: str) -> list[str]:
        """Step 1 of the set-up: the password (problems, or [] when stored)."""
        user = self.open_setup(token)
        if user is None:
            return ["link: this set-up link has expired or was used; ask an admin for a new one"]
        problems = password_problems(password, user.username, self.bank_name)
        if not problems and not hmac.compare_digest(password.encode(), again.encode()):
            problems = ["again: the two passwords differ; type the same password twice"]
        if problems:
            return problems
        self.redis.hset(USER + user.username, "password", self.hasher.hash(PURPOSE, password))
        return []

    def pending_secret(self, username: str) -> str:
        """The authenticator secret being set up (created on first ask, kept until confirmed)."""
        sealed = self.redis.hget(USER + username, "totp_pending")
        if isinstance(sealed, str):
            return self._open(sealed)
        secret = pyotp.random_base32()
        self.redis.hset(USER + username, "totp_pending", self._seal(secret))
        return secret

    def provisioning_uri(self, username: str) -> str:
        secret = self.pending_secret(username)
        issuer = f"{self.bank_name} ({ISSUER})" if self.bank_name else ISSUER
        return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)

    def confirm_authenticator(self, token: str, code: str) -> StaffUser | None:
        """Step 2: a code from the new authenticator. The account is then active and the set-up
        link used up; returns the user (None: a wrong code, or the link is gone)."""
        user = self.open_setup(token)
        if user is None or not self.has_password(user.username):
            return None
        secret = self.pending_secret(user.username)
        step = self._step_of(secret, code)
        if step is None:
            return None
        key = USER + user.username
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"totp": self._seal(secret), "totp_step": str(step)})
        pipe.hset(key, "status", StaffStatus.ACTIVE.value)
        pipe.hdel(key, "totp_pending", "setup")
        pipe.delete(SETUP + _digest(token))
        pipe.execute()
        return self.get(user.username)

    # --- signing in ---

    def sign_in(self, username: str, password: str, code: str) -> SignIn:
        """Password and authenticator code together; the answer never says which was wrong.
        Fails closed: locked, disabled, not set up, unknown → no user."""
        name = username.strip().lower()[:64]
        now = self.clock()
        locked = self.locked_until(name)
        if locked is not None:
            return SignIn(None, locked_until=locked, remaining=0)
        raw: dict[str, str] = self.redis.hgetall(USER + name)  # type: ignore[assignment]
        good, stale = self.hasher.check(raw.get("password"), PURPOSE, password)
        if good and raw.get("status") == StaffStatus.ACTIVE.value and raw.get("totp"):
            step = self._step_of(self._open(raw["totp"]), code)
            # A code is accepted once: a step at or before the last accepted one is refused.
            if step is not None and step > int(raw.get("totp_step") or -1):
                pipe = self.redis.pipeline()
                pipe.hset(USER + name, mapping={"totp_step": str(step)})
                pipe.hset(USER + name, "last_login_at", now.isoformat())
                pipe.delete(FAILS + name)
                if stale:  # hashed with the pepper being rotated out: the password is in hand
                    pipe.hset(USER + name, "password", self.hasher.hash(PURPOSE, password))
                if self._rotating and not self._opens_with_current(raw["totp"]):
                    pipe.hset(USER + name, "totp", self._seal(self._open(raw["totp"])))
                pipe.execute()
                return SignIn(self.get(name))
        return self._failed(name, now)

    def locked_until(self, username: str) -> datetime | None:
        raw = self.redis.get(LOCK + username)
        if not isinstance(raw, str):
            return None
        until = datetime.fromtimestamp(float(raw), UTC)
        return until if until > self.clock() else None

    def _failed(self, name: str, now: datetime) -> SignIn:
        pipe = self.redis.pipeline()
        pipe.incr(FAILS + name)
        pipe.expire(FAILS + name, int(LOCKOUT.total_seconds()))
        failures = int(pipe.execute()[0])
        if failures < MAX_FAILURES:
            return SignIn(None, remaining=MAX_FAILURES - failures)
        until = now + LOCKOUT
        pipe.set(LOCK + name, str(until.timestamp()), ex=int(LOCKOUT.total_seconds()))
        pipe.delete(FAILS + name)
        pipe.execute()
        return SignIn(None, locked_until=until, remaining=0)

    # --- inside ---

    def _existing(self, username: str) -> StaffUser:
        user = self.get(username)
        if user is None:
            raise StaffProblem([f"username: no staff user {username!r}"])
        return user

    def _keep_an_admin(self, user: StaffUser, field: str) -> None:
        if not [admin for admin in self.admins() if admin.username != user.username]:
            raise StaffProblem([f"{field}: {user.username} is the last active admin; make "
                                "another admin first"])  # fmt: skip

    def _new_setup(self, username: str) -> str:
        token = secrets.token_urlsafe(32)
        ttl = int(SETUP_TTL.total_seconds())
        old = self.redis.hget(USER + username, "setup")
        pipe = self.redis.pipeline()
        if isinstance(old, str):
            pipe.delete(SETUP + old)
        pipe.set(SETUP + _digest(token), username, ex=ttl)
        pipe.hset(USER + username, "setup", _digest(token))
        pipe.execute()
        return token

    def _step_of(self, secret: str, code: str) -> int | None:
        """The time step ``code`` belongs to (this one or the one before), or None."""
        code = code.strip().replace(" ", "")
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return None
        totp = pyotp.TOTP(secret)
        now = self.clock()
        for back in (0, 1):
            at = now - timedelta(seconds=totp.interval * back)
            if hmac.compare_digest(totp.at(at), code):
                return int(at.timestamp()) // totp.interval
        return None

    def _seal(self, secret: str) -> str:
        return self._box.encrypt(secret.encode()).decode()

    def _opens_with_current(self, sealed: str) -> bool:
        try:
            self._current.decrypt(sealed.encode())
        except InvalidToken:
            return False
        return True

    def _open(self, sealed: str) -> str:
        try:
            return self._box.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return pyotp.random_base32()  # SECRET_KEY changed: no code matches (fails closed)
