"""Writes that go together, sent to Redis in one round trip: a step's audit entries with the
deletes that end a challenge or reset a failure count. Not a transaction (the keys live in
several cluster slots, as ``auth.stores.links`` does): each write stands on its own, and the
ones that must be atomic with a read stay in their store's Lua scripts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from redis import Redis, RedisError
from redis.client import Pipeline


@contextlib.contextmanager
def batch(redis: Redis) -> Iterator[Pipeline]:
    """A pipeline the body queues writes on, sent when the body ends. If the body raises, what
    was queued until then is still sent (as it would have been one by one), then the error
    propagates; a Redis error while sending propagates too: callers fail closed."""
    pipe = redis.pipeline(transaction=False)
    try:
        yield pipe
    except BaseException:
        if len(pipe):
            with contextlib.suppress(RedisError):
                pipe.execute()
        raise
    if len(pipe):
        pipe.execute()
