"""The RQ worker loop, started by ``python -m app worker`` (``make worker`` and the Procfile)
once the job services are built and installed (``workers.context``).

It warms reportlab and pypdf (fonts
parsed, a receipt rendered and encrypted) before the first job, so every forked job starts warm
instead of paying those costs itself. Then it serves the queues in priority order with RQ's JSON
serializer, and a scheduler that re-enqueues retries when their back-off has passed. A job
left behind by a worker that died outright is taken back and retried within about 25 seconds
(``TellerWorker``).
"""

from __future__ import annotations

import gc
import importlib
import logging
import signal
import threading
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.serializers import JSONSerializer

from workers.metered import Metered
from workers.queues import QUEUES, queue_for

log = logging.getLogger("teller.worker")

# A job whose worker died (kill -9, a lost machine) stays "started" until its heartbeat expires
# and some worker's maintenance sees it: RQ's defaults are a 90 s heartbeat and maintenance
# every 10 minutes. Beating every 5 s with a 10 s grace and cleaning every 10 s takes such a
# job back within about 25 s (its first retry waits for nothing: workers.queues) and restarts a
# scheduler that died (Redis went away) as soon.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
HEARTBEAT_S = 5
HEARTBEAT_GRACE_S = 10
MAINTENANCE_S = 10


class TellerWorker(Metered, Worker):
    """RQ's worker with the heartbeat and maintenance above, its jobs timed and counted."""

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        remaining = (job.timeout - working_time) if job.timeout and job.timeout > 0 else HEARTBEAT_S
        return int(min(remaining, self.job_monitoring_interval)) + HEARTBEAT_GRACE_S


# Imported once in the parent so each forked job starts warm.
PRELOAD = (
    "bank.demo",
    "reportlab.pdfgen.canvas",
    "reportlab.platypus",
    "pypdf",
    "receipts.render",
    "receipts.statement",
    "receipts.protect",
    "workers.jobs",
)


def warm_up() -> None:
    """Render and protect one throwaway receipt: fonts, font subsetting, pypdf's parser and
    AES code paths are then loaded in the parent and shared by every fork."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from receipts.model import Party, Receipt
    from receipts.protect import protect, random_password
    from receipts.render import render_receipt

    sample = Receipt(
        "Bank", "TX000000", datetime.now(UTC), Party("A", "••0000"), Party("B", "••0001"),
        Decimal("1.00"), Decimal("0.00"), "USD", "completed", "WhatsApp",
    )  # fmt: skip
    protect(
        render_receipt(sample, "TX000000-AAAA", "https://x"),
        random_password(),
        title="t",
        author="a",
    )


def _worker(connection: Redis) -> TellerWorker:
    queues = [queue_for(name, connection) for name in QUEUES]
    return TellerWorker(
        queues,
        connection=connection,
        serializer=JSONSerializer,
        job_monitoring_interval=HEARTBEAT_S,
        maintenance_interval=MAINTENANCE_S,
        # An idle worker waits on its queues for worker_ttl - 15 s before it looks at
        # maintenance again: this makes that wait MAINTENANCE_S.
        worker_ttl=MAINTENANCE_S + 15,
    )


def _wait_for_redis(connection: Redis, stopping: threading.Event) -> None:
    """Back off (1 s doubling to 30 s) until Redis answers or a stop is asked for."""
    wait = 1.0
    while not stopping.is_set():
        try:
            connection.ping()
            return
        except RedisError as exc:
            log.warning("worker: Redis unavailable (%s); trying again in %.0f s", exc, wait)
            stopping.wait(wait)
            wait = min(wait * 2, 30.0)


def run(connection: Redis) -> int:
    """Serve the queues until stopped. The caller has installed the job context.

    RQ's worker quits when Redis stops answering (a restart, a fail-over); this process doesn't:
    it waits for Redis and serves again with a new worker (and scheduler), so a Redis outage
    never needs the worker restarted by hand. SIGTERM/SIGINT still stop it."""
    for module in PRELOAD:
        importlib.import_module(module)
    warm_up()
    # Objects built so far live for the whole process: keep the collector off their pages so
    # forked jobs don't copy them (copy-on-write) just by scanning them.
    gc.freeze()
    stopping = threading.Event()
    while not stopping.is_set():
        worker = _worker(connection)
        try:
            worker.work(with_scheduler=True)
        except RedisError as exc:  # raised before RQ's own loop catches anything
            log.warning("worker: stopped by a Redis error (%s)", exc)
        # A warm shutdown (SIGTERM, SIGINT) is dated whether it came busy or idle.
        if worker._shutdown_requested_date is not None or worker._stop_requested:
            return 0
        # RQ's worker gave up (Redis went away): between workers, a signal stops the process.
        previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in STOP_SIGNALS}
        _wait_for_redis(connection, stopping)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if not stopping.is_set():
            log.info("worker: Redis answers again; serving the queues")
    return 0
