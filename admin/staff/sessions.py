"""Staff console sessions, server-side (OWASP ASVS 3): a random token in an ``HttpOnly``,
``SameSite=Strict`` cookie, only its digest in Redis; 15 minutes idle (sliding), 8 hours
absolute, a new token at every sign-in, deleted at sign-out, and all of a user's sessions ended
when they are disabled or reset. Expiry is the server's: the hash's TTL and the times in it.

Keys: ``teller:{staff}:session:<digest>`` a hash (username, created, seen) with the idle TTL;
``teller:{staff}:sessions:<username>`` the set of that user's session digests.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from redis import Redis

SESSION = "teller:{staff}:session:"
USER_SESSIONS = "teller:{staff}:sessions:"
IDLE = timedelta(minutes=15)
ABSOLUTE = timedelta(hours=8)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSessions:
    def __init__(self, redis: Redis, clock: Callable[[], datetime]) -> None:
        self.redis = redis
        self.clock = clock

    def start(self, username: str) -> str:
        """A new session for ``username``; returns the token for the cookie (never stored)."""
        token = secrets.token_urlsafe(32)
        digest = _digest(token)
        now = self.clock().isoformat()
        pipe = self.redis.pipeline()
        pipe.hset(SESSION + digest, mapping={"username": username, "created": now, "seen": now})
        pipe.expire(SESSION + digest, int(IDLE.total_seconds()))
        pipe.sadd(USER_SESSIONS + username, digest)
        pipe.expire(USER_SESSIONS + username, int(ABSOLUTE.total_seconds()))
        pipe.execute()
        return token

    def check(self, token: str) -> str | None:
        """The username of a live session, sliding its idle expiry; None when it ended (idle,
        absolute, signed out or unknown). Fails closed on anything unreadable."""
        if not token or len(token) > 100:
            return None
        digest = _digest(token)
        raw: dict[str, str] = self.redis.hgetall(SESSION + digest)  # type: ignore[assignment]
        now = self.clock()
        try:
            created = datetime.fromisoformat(raw["created"])
            seen = datetime.fromisoformat(raw["seen"])
            username = raw["username"]
        except (KeyError, ValueError):
            return None
        if now - seen >= IDLE or now - created >= ABSOLUTE:
            self._drop(digest, username)
            return None
        left = min(IDLE, ABSOLUTE - (now - created))
        pipe = self.redis.pipeline()
        pipe.hset(SESSION + digest, "seen", now.isoformat())
        pipe.expire(SESSION + digest, max(1, int(left.total_seconds())))
        pipe.execute()
        return username

    def end(self, token: str) -> str | None:
        """Sign out: the session is deleted; returns whose it was."""
        digest = _digest(token)
        username = self.redis.hget(SESSION + digest, "username")
        if not isinstance(username, str):
            return None
        self._drop(digest, username)
        return username

    def end_all(self, username: str) -> int:
        """End every session of ``username`` (disabled, reset, role changed)."""
        digests: set[str] = self.redis.smembers(USER_SESSIONS + username)  # type: ignore[assignment]
        pipe = self.redis.pipeline()
        for digest in digests:
            pipe.delete(SESSION + digest)
        pipe.delete(USER_SESSIONS + username)
        pipe.execute()
        return len(digests)

    def _drop(self, digest: str, username: str) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(SESSION + digest)
        pipe.srem(USER_SESSIONS + username, digest)
        pipe.execute()
