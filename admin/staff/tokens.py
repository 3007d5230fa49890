"""Personal API tokens: how a staff member's scripts call the admin JSON API as that person.

A token is ``tlr_`` + 256 random bits (``secrets.token_urlsafe(32)``), shown once when it is
created and never again. Its first 8 characters after the prefix are its public id (what lists
and the audit show); the rest is secret. Redis keeps only a digest: HMAC-SHA256 under a key
derived from ``SECRET_KEY`` for this one use. A plain SHA-256 would do against guessing (256
bits can't be searched), but the HMAC also means that someone who can write to Redis, without
the app's secret, can't plant a token of their own choosing: it wouldn't verify. (A rotation
of ``SECRET_KEY`` with ``SECRET_KEY_PREVIOUS`` set keeps tokens working: each is rewritten
under the new key at its next use; a token unused until the previous key is unset is retired.)

A token acts as its owner with the owner's role *now* (``admin.staff.roles``): it carries no
scope of its own, so a demotion or a disabled account takes effect at the next call. The owner
or an admin revokes it; a revoked token stays listed (as revoked) for ``REVOKED_KEPT``. Its
last use is written at most once a ``LAST_USED_EVERY`` so the hot path stays one read.

Audited (never the token): ``staff.token_created``, ``staff.token_revoked`` and, at most once
a minute per token, ``staff.token_refused`` when a revoked token or a disabled owner's is used.
Checks fail closed: anything unexpected is a refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime

from redis import Redis, WatchError

from admin.staff.roles import Permission, can
from admin.staff.token_records import (
    ID_LENGTH,
    LAST_USED_EVERY,
    MAX_ACTIVE,
    PREFIX,
    REVOKED_KEPT,
    TOKEN,
    TOKEN_ID,
    ApiToken,
    Bearer,
    Directory,
    Owner,
    TokenNotFound,
    TokenProblem,
    TokenRefused,
    check_name,
    from_fields,
    owner_key,
    token_key,
)
from auth.stores.audit import AuditLog


class StaffTokens:
    def __init__(
        self,
        redis: Redis,
        key: bytes,
        clock: Callable[[], datetime],
        audit: AuditLog,
        directory: Directory,
        previous_key: bytes | None = None,
    ) -> None:
        self.redis = redis  # str replies
        self.key = key
        # During a SECRET_KEY rotation: digests made with the previous key still match, and are
        # rewritten with the current one at their next use.
        self.previous_key = previous_key
        self.clock = clock
        self.audit = audit
        self.directory = directory

    def _digest(self, token: str, key: bytes | None = None) -> str:
        return hmac.new(key or self.key, token.encode(), hashlib.sha256).hexdigest()

    def _audit(self, event: str, result: str, channel: str, **detail: str) -> None:
        at = self.clock()
        self.audit.record(
            event, at=at, customer_id="", msisdn="", channel=channel, result=result, **detail
        )

    # --- reading ---

    def get(self, token_id: str) -> ApiToken | None:
        fields: dict[str, str] = self.redis.hgetall(token_key(token_id))  # type: ignore[assignment]
        return from_fields(token_id, fields) if fields.get("created_at") else None

    def of(self, owner: str) -> list[ApiToken]:
        """The owner's tokens, newest first (revoked ones until they are dropped)."""
        members: set[str] = self.redis.smembers(owner_key(owner))  # type: ignore[assignment]
        ids = sorted(members)
        found = [(token_id, self.get(token_id)) for token_id in ids]
        gone = [token_id for token_id, token in found if token is None]
        if gone:
            self.redis.srem(owner_key(owner), *gone)
        tokens = [token for _, token in found if token is not None]
        return sorted(tokens, key=lambda t: (t.created_at, t.token_id), reverse=True)

    # --- changes (each audited) ---

    def create(self, owner: str, name: str, *, channel: str) -> tuple[ApiToken, str]:
        """A new token for ``owner``: its record and the token itself (shown once, never
        stored). ``TokenProblem`` for a bad or duplicate name, or too many tokens."""
        active = [t for t in self.of(owner) if t.active]
        name, problems = check_name(name, {t.name.casefold() for t in active})
        if not problems and len(active) >= MAX_ACTIVE:
            problems = [f"name: you have {MAX_ACTIVE} tokens; revoke one you no longer use first"]
        if problems:
            raise TokenProblem(problems)
        now = self.clock()
        while True:
            secret = PREFIX + secrets.token_urlsafe(32)
            token_id = secret[len(PREFIX) : len(PREFIX) + ID_LENGTH]
            if self._store(token_id, owner, name, self._digest(secret), now):
                break  # else the id was taken (1 in 2**48 per token): draw another
        detail = {"actor": owner, "target": owner, "token_id": token_id}
        self._audit("staff.token_created", "ok", channel, **detail)
        token = self.get(token_id)
        assert token is not None  # just written
        return token, secret

    def _store(self, token_id: str, owner: str, name: str, digest: str, now: datetime) -> bool:
        key = token_key(token_id)
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                if pipe.exists(key):
                    return False
                pipe.multi()
                pipe.hset(
                    key,
                    mapping={
                        "digest": digest,
                        "owner": owner,
                        "name": name,
                        "created_at": now.isoformat(),
                    },
                )
                pipe.sadd(owner_key(owner), token_id)
                pipe.execute()
            except WatchError:
                return False
        return True

    def revoke(self, token_id: str, by: Owner, *, channel: str) -> ApiToken:
        """Revoke one token: its owner or an admin (``MANAGE_STAFF``) may. Revoking a revoked
        token changes nothing. ``TokenNotFound`` for an unknown id or someone else's token."""
        token = self.get(token_id) if TOKEN_ID.fullmatch(token_id) else None
        if token is None or (
            token.owner != by.username and not can(by.role, Permission.MANAGE_STAFF)
        ):
            raise TokenNotFound(token_id)
        if not token.active:
            return token
        self._revoke(token, by.username, channel)
        revoked = self.get(token_id)
        assert revoked is not None  # kept for REVOKED_KEPT
        return revoked

    def revoke_all(self, owner: str, by: str, *, channel: str) -> int:
        """Revoke every active token of ``owner`` (a reset: their credentials are no longer
        trusted); returns how many. The caller checks ``by`` may do this."""
        active = [t for t in self.of(owner) if t.active]
        for token in active:
            self._revoke(token, by, channel)
        return len(active)

    def _revoke(self, token: ApiToken, by: str, channel: str) -> None:
        key = token_key(token.token_id)
        # Absent until revoked, so of two revocations at once only the first writes and audits.
        if not self.redis.hsetnx(key, "revoked_at", self.clock().isoformat()):
            return
        pipe = self.redis.pipeline()
        pipe.hset(key, "revoked_by", by)
        pipe.expire(key, REVOKED_KEPT)
        pipe.execute()
        detail = {"actor": by, "target": token.owner, "token_id": token.token_id}
        self._audit("staff.token_revoked", "ok", channel, **detail)

    # --- the API's check (fails closed) ---

    def authenticate(self, presented: str) -> Bearer:
        """The owner a presented token speaks for, or ``TokenRefused``: not a token, unknown,
        revoked, or its owner missing or not active. The digest is compared in constant time
        and computed whether or not the id exists."""
        well_formed = TOKEN.fullmatch(presented) is not None
        digest = self._digest(presented)
        token_id = presented[len(PREFIX) : len(PREFIX) + ID_LENGTH] if well_formed else ""
        fields: dict[str, str] = (
            self.redis.hgetall(token_key(token_id)) if token_id else {}  # type: ignore[assignment]
        )
        stored = fields.get("digest", "")
        current = hmac.compare_digest(digest, stored or "0" * len(digest))
        old = self.previous_key is not None and hmac.compare_digest(
            self._digest(presented, self.previous_key), stored or "0" * len(digest)
        )
        if not (current or old) or not stored:
            raise TokenRefused("unknown token: check it was copied whole, or create a new one")
        if old and not current:
            self.redis.hset(token_key(token_id), "digest", digest)
        token = from_fields(token_id, fields)
        if not token.active:
            self._refused(token, fields, "revoked")
            raise TokenRefused("this token was revoked: create a new one in the console")
        owner = self.directory.get(token.owner)
        if owner is None or not owner.active:
            self._refused(token, fields, "owner not active")
            raise TokenRefused("the token's owner can't sign in (disabled or being set up)")
        self._touch(token_id, fields.get("last_used_at", ""))
        return Bearer(owner, token)

    def _touch(self, token_id: str, last: str) -> None:
        now = self.clock()
        if not last or now - datetime.fromisoformat(last) >= LAST_USED_EVERY:
            self.redis.hset(token_key(token_id), "last_used_at", now.isoformat())

    def _refused(self, token: ApiToken, fields: dict[str, str], reason: str) -> None:
        """Audit a refused use, at most once a minute per token (a script retrying a revoked
        token must not flood the audit)."""
        now = self.clock()
        last = fields.get("refused_at", "")
        if last and now - datetime.fromisoformat(last) < LAST_USED_EVERY:
            return
        self.redis.hset(token_key(token.token_id), "refused_at", now.isoformat())
        detail = {"target": token.owner, "token_id": token.token_id, "reason": reason}
        self._audit("staff.token_refused", "refused", "api", **detail)
