"""The work process's own Redis round trips around each job (``workers.worker``): 4 — the
queues' ``BLPOP``, the job's hash, the execution's record with the job marked started, and one
MULTI that records the success, ends the execution, sets the worker idle and counts the job's
dependents. RQ's own worker makes 7 (a ``WATCH`` and a read of the dependents, and the idle
state apart). A job that has dependents still gets them enqueued."""

from __future__ import annotations

import pytest
from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.redis_server import RedisServer
from workers import worker
from workers.queues import DOCUMENTS_QUEUE, RECEIPT_JOB, queue_for

JOB = "os.getpid"  # a job with no Redis calls of its own: only the worker's are counted


def _served(url: str, jobs: int) -> None:
    """A work process's worker as it serves (``BLPOP``, not burst's ``LPOP`` per queue), for
    ``jobs`` jobs."""
    connection = Redis.from_url(url)
    serving = worker._worker(connection)
    try:
        serving.work(max_jobs=jobs, with_scheduler=False, logging_level="WARNING")
    finally:
        serving.close()
        connection.close()


def test_the_worker_spends_four_round_trips_per_job() -> None:
    """Counted by a server of this test's own (each request a client sends is one read event):
    two runs of the worker, the second with 20 jobs more, so what a worker costs to start and
    stop cancels out."""
    private = RedisServer().start()
    raw = Redis.from_url(private.url)
    try:
        for _ in range(30):
            RECEIPT_JOB.enqueue(raw, JOB)

        def reads() -> int:
            return int(raw.info("stats")["total_reads_processed"])

        before = reads()
        _served(private.url, 5)
        few = reads() - before - 1  # - 1: the INFO itself
        before = reads()
        _served(private.url, 25)
        many = reads() - before - 1
        per_job = (many - few) / 20
        # A heartbeat or a suspension check comes at most once a second, whatever the jobs.
        assert per_job == pytest.approx(4, abs=0.2), f"{per_job} round trips per job"
        queue = queue_for(DOCUMENTS_QUEUE, raw)
        assert queue.count == 0 and queue.finished_job_registry.count == 30
    finally:
        raw.close()
        private.stop()


def test_a_job_with_a_dependent_still_has_it_enqueued(redis_url: str) -> None:
    raw = Redis.from_url(redis_url)
    queue = queue_for(DOCUMENTS_QUEUE, raw)
    first = queue.enqueue(JOB, result_ttl=60)
    then = queue.enqueue(JOB, depends_on=first, result_ttl=60)
    assert then.get_status(refresh=True) == "deferred"
    _served(redis_url, 2)
    fetched = Job.fetch(then.id, connection=raw, serializer=JSONSerializer)
    assert first.get_status(refresh=True) == "finished"
    assert fetched.get_status() == "finished"
    raw.close()
