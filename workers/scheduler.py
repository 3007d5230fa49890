"""The scheduler of ``python -m app worker``: it moves jobs whose time has come (a retry after its
back-off, a claim's refund at expiry) from each queue's scheduled registry onto the queue.

It is RQ's ``RQScheduler`` driven one round at a time by the worker's supervisor
(``workers.supervisor``) instead of RQ's own loop in a process of its own: that loop ends with a
traceback when Redis goes away and stays dead until a worker restarts it. Here a round that finds
Redis gone logs one warning for the whole outage; the next round that finds it back registers the
scheduler again, takes its locks back and schedules at once. One scheduler holds a queue's lock
at a time; the others ask for the locks again every ``LOCK_RETRY_S``, so one takes over within
about a minute when the holder dies (the lock's TTL is RQ's: the round's interval + 60 s).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer

log = logging.getLogger("teller.scheduler")

ROUND_S = 1  # how often due jobs are moved onto their queues
LOCK_RETRY_S = 10  # how often a scheduler without every lock asks for the missing ones


class Scheduler:
    """One scheduler: call ``round()`` every ``ROUND_S`` and ``stop()`` at the end."""

    def __init__(self, queue_names: tuple[str, ...], connection: Redis) -> None:
        self.queue_names = set(queue_names)
        self.rq: Any = RQScheduler(  # Any: RQ's scheduler is untyped
            list(queue_names), connection=connection, interval=ROUND_S, serializer=JSONSerializer
        )
        self._registered = False
        self._asked_at = float("-inf")  # when the locks were last asked for (monotonic)
        self._down_since: float | None = None

    def round(self) -> None:
        """Schedule what is due; never raises for Redis (see the module's docstring)."""
        try:
            self._round()
        except RedisError as exc:
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning(
                    "scheduler: Redis unavailable (%s); retries and refunds wait until it is back",
                    exc,
                )
            # It may come back empty (restarted without persistence): register again then.
            self._registered = False
            return
        if self._down_since is not None:
            log.info(
                "scheduler: Redis answers again after %.0f s; scheduling resumed",
                time.monotonic() - self._down_since,
            )
            self._down_since = None

    def _round(self) -> None:
        if not self._registered:
            # At start and after an outage the locks are asked for afresh: a lock Redis lost
            # is taken again quietly instead of the heartbeat warning that it had lapsed.
            self.rq.register_birth()
            self._registered = True
            self._ask_for_locks()
        elif self.queue_names - self.rq.acquired_locks and (
            time.monotonic() - self._asked_at >= LOCK_RETRY_S
        ):
            self._ask_for_locks()
        self.rq.heartbeat()
        self.rq.enqueue_scheduled_jobs()

    def _ask_for_locks(self) -> None:
        self._asked_at = time.monotonic()
        self.rq.acquire_locks()

    def stop(self) -> None:
        """Release the locks (another scheduler takes them at once) and unregister."""
        try:
            self.rq.release_locks()
            self.rq.register_death()
        except RedisError as exc:
            log.warning("scheduler: could not release its locks (%s); they lapse on their own", exc)
