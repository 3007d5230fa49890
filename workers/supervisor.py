"""``python -m app worker`` (``make worker``, the Procfile): a supervisor and the process it forks
to run jobs, once the job services are built and installed (``workers.context``).

The supervisor warms reportlab and pypdf (fonts parsed, a receipt rendered and encrypted), then
forks one ``workers.worker`` process from its warm memory. That process runs jobs one after
another without forking again. The supervisor itself runs no job; it

- watches its child: when the child dies mid-job (``kill -9``, the OOM killer), it hands the job
  back to RQ at once (``workers.abandoned``: the receipt is retried within a second or two, not
  when a heartbeat lapses) and forks a new child, warm, at once (after a crash right after a
  start, it waits a little longer each time, up to ``RESPAWN_MAX_S``);
- runs the scheduler (``workers.scheduler``) every second, which outlives Redis outages;
- on SIGTERM/SIGINT passes the signal on, waits for the child to finish the job in hand (RQ's
  warm shutdown; the signal again makes it cold), and leaves.

Run more ``python -m app worker`` processes (per core, per host) for more throughput: each job
is independent, and one scheduler holds the queues' locks at a time.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import random
import signal
import threading
import time
from types import FrameType

from redis import Redis
from redis.exceptions import RedisError

from workers import worker
from workers.abandoned import hand_back
from workers.queues import QUEUES
from workers.scheduler import ROUND_S, Scheduler

log = logging.getLogger("teller.worker")

POLL_S = 0.2  # how soon a dead child is noticed
RESPAWN_MAX_S = 30.0
SHORT_LIFE_S = 10.0  # a child that dies sooner than this after its start backs the next one off

# Imported once in the supervisor so that its child, and any child after it, starts warm.
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
    AES code paths are then loaded before the fork and shared by every child."""
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


def _end_with_parent() -> None:
    """Linux: this child gets SIGTERM (a warm stop) if the supervisor dies, so no worker is
    left running unsupervised. Elsewhere it is left to the process manager."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Supervisor:
    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        # Short timeouts: a Redis that hangs must not hang the supervisor's watch.
        self.connection = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
        self.scheduler = Scheduler(QUEUES, self.connection)
        self.stopping = threading.Event()
        self.child: int | None = None
        self.born_at = 0.0
        self.respawn_at = 0.0
        self.backoff = 0.0
        self.dead: set[int] = set()  # children that died mid-job, their jobs not yet handed back

    def run(self) -> int:
        parent = os.getpid()
        for sig in worker.STOP_SIGNALS:
            signal.signal(sig, self._on_stop)
        next_round = 0.0
        while not self.stopping.is_set():
            self._reap(block=False)
            self._hand_back()
            now = time.monotonic()
            if self.child is None and now >= self.respawn_at:
                self._spawn(parent)
            if now >= next_round:
                self.scheduler.round()
                next_round = now + ROUND_S
            self.stopping.wait(POLL_S)
        while self.child is not None:  # the child finishes the job in hand
            self._reap(block=True)
        self._hand_back()
        self.scheduler.stop()
        return 0

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()
        if self.child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child, signum)

    def _spawn(self, parent: int) -> None:
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                for sig in worker.STOP_SIGNALS:
                    signal.signal(sig, signal.SIG_DFL)
                random.seed()
                _end_with_parent()
                # Orphaned before the line above took effect: nobody to work for.
                code = worker.serve(self.redis_url) if os.getppid() == parent else 0
            except BaseException:
                log.exception("worker: the work process failed")
            finally:
                os._exit(code)
        self.child, self.born_at = pid, time.monotonic()
        log.info("worker: work process %d started", pid)

    def _reap(self, block: bool) -> None:
        if self.child is None:
            return
        try:
            pid, status = os.waitpid(self.child, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid, status = self.child, 0
        if pid == 0:
            return
        self.child = None
        code = os.waitstatus_to_exitcode(status)
        if code == 0 and self.stopping.is_set():
            return
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        log.warning("worker: work process %d ended (%s); its job, if any, is retried now", pid, how)
        self.dead.add(pid)
        lived = time.monotonic() - self.born_at
        short = lived < SHORT_LIFE_S
        self.backoff = min(max(1.0, 2 * self.backoff), RESPAWN_MAX_S) if short else 0.0
        self.respawn_at = time.monotonic() + self.backoff

    def _hand_back(self) -> None:
        for pid in sorted(self.dead):
            try:
                handed = hand_back(self.connection, pid)
            except RedisError:
                return  # the scheduler says Redis is away; try again next time
            if handed is None:
                continue  # a queue's maintenance was running: next time
            self.dead.discard(pid)
            for job_id in handed:
                log.info("worker: job %s of process %d handed back for a retry", job_id, pid)


def run(redis_url: str) -> int:
    """Serve the queues until stopped. The caller has installed the job context."""
    for module in PRELOAD:
        importlib.import_module(module)
    warm_up()
    # Objects built so far live for the whole process: keep the collector off their pages so
    # the child doesn't copy them (copy-on-write) just by scanning them.
    gc.freeze()
    return Supervisor(redis_url).run()
