"""The in-process worker of the embedded default: a thread that runs RQ jobs from the in-memory
Redis, so ``make run`` needs no second process. Production runs ``python -m app worker``."""

from __future__ import annotations

import logging
import threading

from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from rq.timeouts import TimerDeathPenalty

from workers.metered import Metered
from workers.queues import queue_for

log = logging.getLogger("teller.worker")


class ThreadWorker(Metered, SimpleWorker):
    """SimpleWorker that may live off the main thread: no signal handlers, timer-based timeouts."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        # Signals can only be handled on the main thread, which belongs to the web server.
        pass


class EmbeddedWorker:
    """Drains the queues in bursts until stopped; idle polls cost nothing but a Redis read."""

    def __init__(self, connection: Redis, queue_names: list[str], poll_s: float = 0.05) -> None:
        self.queues = [queue_for(name, connection) for name in queue_names]
        self.connection = connection
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="teller-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _due(self) -> bool:
        """Retries wait in each queue's scheduled registry until their back-off has passed."""
        return any(q.scheduled_job_registry.get_jobs_to_schedule() for q in self.queues)

    def _run(self) -> None:
        worker = ThreadWorker(self.queues, connection=self.connection, serializer=JSONSerializer)
        while not self._stop.is_set():
            try:
                due = self._due()
                if not due and not any(q.count for q in self.queues):
                    self._stop.wait(self.poll_s)
                    continue
                # with_scheduler in burst mode moves due retries onto their queue first.
                worker.work(burst=True, logging_level="WARNING", with_scheduler=due)
            except Exception:  # the thread must outlive any one bad job or hiccup
                log.exception("embedded worker: unexpected error; continuing")
                self._stop.wait(1.0)
