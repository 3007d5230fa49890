"""The process that runs jobs, forked warm by ``python -m app worker`` (``workers.supervisor``).

``TellerWorker`` is RQ's worker without a fork per job: a receipt is rendered in the process that
took it from the queue, so what RQ's forking worker pays for every job — the fork itself, and
fresh Redis and SQLite connections in each new process — is paid once. RQ's forking worker
exists so that a job that crashes or is killed (``kill -9``, the OOM killer) costs only that job;
here that guarantee comes from the supervisor, which sees the process die at once, hands its job
back to RQ for a retry and forks a new process (warm, from its own memory). When the supervisor
dies too (a lost machine), the job's heartbeat lapses: a thread renews it every ``HEARTBEAT_S``
while the job runs, with ``HEARTBEAT_GRACE_S`` to spare, and any worker's maintenance (every
``MAINTENANCE_S``) then takes the job back, about 25 s after the last beat.

``serve`` is the loop of one such process: RQ's worker quits when Redis stops answering (a
restart, a fail-over); this loop waits for Redis and serves again with a new worker.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.executions import Execution
from rq.job import JobStatus
from rq.job_lifecycle import call_exception_handlers
from rq.rate_limit import release_slot
from rq.serializers import JSONSerializer
from rq.utils import now
from rq.worker import WorkerStatus

from workers.metered import Metered
from workers.queues import QUEUES, queue_for

log = logging.getLogger("teller.worker")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Makes a client of the job queue's Redis (a URL or a Sentinel master: the composition root
# knows which); keyword arguments are redis-py's timeouts.
Connect = Callable[..., Redis]
HEARTBEAT_S = 5
HEARTBEAT_GRACE_S = 10
MAINTENANCE_S = 10
# A job that outlives its timeout by this much ignored the timeout's alarm (stuck in C code):
# the process ends itself and the supervisor retries the job, as RQ's forking worker would.
OVERRUN_S = 60
BEAT_AGAIN_S = 1.0


class TellerWorker(Metered, SimpleWorker):
    """RQ's non-forking worker with a heartbeat kept short while a job runs, its jobs timed and
    counted, and its bookkeeping round trips to Redis pipelined."""

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        remaining = (job.timeout - working_time) if job.timeout and job.timeout > 0 else HEARTBEAT_S
        return int(min(remaining, self.job_monitoring_interval)) + HEARTBEAT_GRACE_S

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        # RQ beats several times around every job, each time with three commands sent one by
        # one. The worker's key lives for worker_ttl + 60 s: a beat less than a second after the
        # last one is skipped, and one that goes is pipelined.
        if pipeline is not None:
            super().heartbeat(timeout, pipeline=pipeline)
            return
        last = self.last_heartbeat
        if timeout is None and last and (now() - last).total_seconds() < BEAT_AGAIN_S:
            return
        with self.connection.pipeline(transaction=False) as own:
            super().heartbeat(timeout, pipeline=own)
            own.execute()

    def check_for_suspension(self, burst: bool) -> None:
        # RQ asks Redis whether workers are suspended (``rq suspend``) before every job: once a
        # second is enough for a suspension to take hold.
        last = self._suspension_checked
        if last is not None and time.monotonic() - last < BEAT_AGAIN_S:
            return
        super().check_for_suspension(burst)
        self._suspension_checked = time.monotonic()

    _suspension_checked: float | None = None

    def set_state(self, state: str, pipeline: Pipeline | None = None) -> None:
        # Only this worker writes its state: writing the one it already has is a wasted trip
        # (RQ sets "idle" after every job and again before waiting on the queues).
        if pipeline is None and state == self.get_state():
            return
        super().set_state(state, pipeline=pipeline)

    def prepare_execution(self, job: Any) -> Any:
        # RQ records the execution in one round trip and marks the job started in another
        # (``prepare_job_execution``, just after): one pipeline here does both. (RQ's
        # ``job.heartbeat`` there is left out: marking the job started sets its heartbeat too.)
        with self.connection.pipeline() as pipeline:
            ttl = self.get_heartbeat_ttl(job)
            execution = Execution.create(job, ttl, pipeline=pipeline, worker_name=self.name)
            self.executions[execution.id] = execution
            self.set_state(WorkerStatus.BUSY, pipeline=pipeline)
            self.heartbeat(ttl, pipeline=pipeline)
            job.prepare_for_execution(self.name, pipeline=pipeline)
            pipeline.persist(job.key)
            pipeline.execute()
        return execution

    def prepare_job_execution(self, job: Any, remove_from_intermediate_queue: bool = False) -> None:
        pass  # done with the execution's record, above (with 3 queues RQ removes nothing here)

    def handle_execution_ended(self, job: Any, queue: Any, heartbeat_ttl: int) -> None:
        # RQ renews the job's heartbeat here so its callbacks may run: Teller's jobs have none,
        # and the heartbeat thread covers the job until it is recorded (one round trip less).
        job.ended_at = now()

    def handle_job_success(
        self, job: Any, queue: Any, started_job_registry: Any, execution: Any
    ) -> None:
        # RQ records a success in four round trips: WATCH on the job's dependents, a read of
        # them, the MULTI that records the result and ends the execution, and (back in
        # ``execute_job``) the worker's state set to idle. Teller's jobs have no dependents, so
        # the MULTI goes alone, with the idle state and a count of the dependents in it: the
        # job is finished in the same transaction that counts them, so a dependent added before
        # it is counted here and moved just after (RQ's own move, with its own WATCH), and one
        # added after it sees the job finished and is enqueued at once by RQ's enqueue.
        # A repeating job keeps RQ's own path, which schedules the repeat.
        if job.repeats_left:
            super().handle_job_success(job, queue, started_job_registry, execution)
            return
        with self.connection.pipeline() as pipeline:
            self.increment_successful_job_count(pipeline=pipeline)
            self.increment_total_working_time(job.ended_at - job.started_at, pipeline)
            result_ttl = job.get_result_ttl(self.default_result_ttl)
            if result_ttl != 0:
                job._handle_success(
                    result_ttl,
                    pipeline=pipeline,
                    worker_name=self.name,
                    execution_id=execution.id,
                    execution_started_at=execution.created_at,
                    execution_ended_at=job.ended_at,
                )
            job.cleanup(result_ttl, pipeline=pipeline, remove_from_queue=False)
            job._status = JobStatus.FINISHED
            self.cleanup_execution(job, pipeline=pipeline, execution=execution)
            self.set_state(WorkerStatus.IDLE, pipeline=pipeline)
            pipeline.scard(job.dependents_key)
            try:
                dependents = pipeline.execute()[-1]
            except BaseException:
                self._state = WorkerStatus.BUSY  # not recorded: ``execute_job`` sets it again
                raise
        if dependents:
            queue.enqueue_ready_jobs_by_queue(queue.move_dependents_to_ready(job))
        release_slot(job)

    def handle_exception(self, job: Any, *exc_info: Any) -> None:
        # RQ logs a failed job with its traceback. One that failed because Redis went away
        # (an outage: its retry follows) gets one line that says so instead.
        exc = exc_info[1] if len(exc_info) > 1 else None
        if not isinstance(exc, RedisError):
            super().handle_exception(job, *exc_info)
            return
        self.log.error(
            "Worker %s: job %s failed: Redis unavailable (%s: %s)",
            self.name, job.id, type(exc).__name__, exc,
        )  # fmt: skip
        call_exception_handlers(self._exc_handlers, job, *exc_info)

    def execute_job(self, job: Any, queue: Any) -> None:
        execution = self.prepare_execution(job)
        if self._beats is None:
            self._beats = _Heartbeat(self)
            self._beats.start()
        self._beats.watch(job, execution)
        try:
            self.perform_job(job, queue, execution)
        finally:
            self._beats.release()
        self.set_state(WorkerStatus.IDLE)  # a trip only after a failure: a success set it

    _beats: _Heartbeat | None = None

    def close(self) -> None:
        """End the heartbeat thread once this worker is done with (``serve`` makes a new one
        after a Redis outage)."""
        if self._beats is not None:
            self._beats.closed = True


class _Heartbeat(threading.Thread):
    """Renews the running job's heartbeat every ``job_monitoring_interval`` (RQ's
    ``maintain_heartbeats``, as the forking worker's parent does while its work horse runs).
    One thread for the worker's life: starting and joining one per job would cost each job a
    thread switch."""

    def __init__(self, worker: TellerWorker) -> None:
        super().__init__(name="teller-heartbeat", daemon=True)
        self.worker = worker
        self._lock = threading.Lock()
        self._running: tuple[Any, Any, float] | None = None  # job, execution, its start
        self.closed = False

    def watch(self, job: Any, execution: Any) -> None:
        with self._lock:
            self._running = (job, execution, time.monotonic())

    def release(self) -> None:
        """After this returns, the job gets no more beats."""
        with self._lock:
            self._running = None

    def run(self) -> None:
        while not self.closed:
            time.sleep(self.worker.job_monitoring_interval)
            with self._lock:
                if self._running is not None:
                    self._beat(*self._running)

    def _beat(self, job: Any, execution: Any, started: float) -> None:
        timeout = job.timeout or 0
        waited = time.monotonic() - started
        if timeout > 0 and waited > timeout + OVERRUN_S:
            log.error("job %s: still running after %.0f s; ending", job.id, waited)
            os._exit(70)  # the supervisor retries the job and starts a new process
        try:
            self.worker.maintain_heartbeats(job, execution)
        except RedisError as exc:  # the job's own Redis calls will say more
            log.warning("job %s: heartbeat not renewed (%s)", job.id, exc)


class OneLineRedisErrors(logging.Filter):
    """RQ logs a Redis error it meets (a failure it could not record, its loop giving up) with
    its traceback; during an outage that is pages of the same story. The record keeps its
    level and message, with the error's type and text in place of the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RedisError):
            record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
            record.args = None
            record.exc_info = record.exc_text = None
        return True


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


def wait_for_redis(connection: Redis, stopping: threading.Event, what: str) -> bool:
    """Back off (0.5 s doubling to 5 s) until Redis answers; False if a stop came first. One
    warning for the whole wait, not one per try."""
    wait, warned = 0.5, False
    while not stopping.is_set():
        try:
            connection.ping()
            return True
        except RedisError as exc:
            if not warned:
                log.warning("%s: Redis unavailable (%s); waiting for it", what, exc)
                warned = True
            stopping.wait(wait)
            wait = min(wait * 2, 5.0)
    return False


def serve(connect: Connect) -> int:
    """Serve the queues until stopped (SIGTERM/SIGINT: the job in hand is finished first)."""
    logging.getLogger("rq.worker").addFilter(OneLineRedisErrors())
    connection = connect()  # RQ's own: it sets long read timeouts
    stopping = threading.Event()
    while not stopping.is_set():
        worker = _worker(connection)
        try:
            # RQ's own INFO lines repeat, per job, what Teller logs once (``workers.metered``).
            worker.work(with_scheduler=False, logging_level="WARNING")
        except RedisError as exc:  # raised before RQ's own loop catches anything
            log.warning("worker: stopped by a Redis error (%s)", exc)
        worker.close()
        # A warm shutdown (SIGTERM, SIGINT) is dated whether it came busy or idle.
        if worker._shutdown_requested_date is not None or worker._stop_requested:
            return 0
        # RQ's worker gave up (Redis went away): between workers, a signal stops the process.
        previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in STOP_SIGNALS}
        back = wait_for_redis(connection, stopping, "worker")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if back:
            log.info("worker: Redis answers again; serving the queues")
    return 0
