"""Fixed-window rate limits in Redis, for link requests, step-up starts and the secure pages.

Fails closed: a Redis error propagates and the caller refuses the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis

# int: hits in the window; TTL = the window. The subject is the hash tag: a customer's counters
# live in their slot, so a script can count a hit together with the customer's other keys.
RATE_KEY = "teller:rate:{scope}:{{{subject}}}:{window}"


@dataclass(frozen=True)
class Limit:
    scope: str
    hits: int
    window_s: int


# Links asked for in the chat, per number; form posts on the secure pages, per number and address.
LINK_REQUESTS = Limit("links", 5, 15 * 60)
PAGE_POSTS_PER_NUMBER = Limit("posts-number", 30, 10 * 60)
PAGE_POSTS_PER_ADDRESS = Limit("posts-address", 60, 10 * 60)
# Step-up challenges started, per number: each may send an SMS or email, and a challenge can be
# cancelled and started again; a customer needs a few an hour, not dozens.
CHALLENGE_STARTS = Limit("stepups", 10, 60 * 60)


class RateLimited(Exception):
    def __init__(self, limit: Limit, retry_after_s: int) -> None:
        super().__init__(f"rate limit {limit.scope}")
        self.limit = limit
        self.retry_after_s = retry_after_s


class RateLimiter:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def hit(self, limit: Limit, subject: str, now: datetime) -> None:
        """Count one hit; raise RateLimited past the limit."""
        key = window_key(limit, subject, now)
        pipe = self.redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, limit.window_s + 1)
        count, _ = pipe.execute()
        check(limit, int(count), now)


def window_key(limit: Limit, subject: str, now: datetime) -> str:
    """The counter of ``subject``'s hits in the window ``now`` falls in (expire it after
    ``limit.window_s + 1`` seconds)."""
    window = int(now.timestamp()) // limit.window_s
    return RATE_KEY.format(scope=limit.scope, subject=subject, window=window)


def check(limit: Limit, count: int, now: datetime) -> None:
    """Raise RateLimited when ``count`` hits (this one included) are past the limit."""
    if count > limit.hits:
        epoch = int(now.timestamp())
        raise RateLimited(limit, (epoch // limit.window_s + 1) * limit.window_s - epoch)
