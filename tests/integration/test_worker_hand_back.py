"""``workers.abandoned.hand_back`` on the suite's real Redis: the job of a worker process that
died mid-job goes back to its queue through RQ's own clean-up (one retry used), the dead worker
is unregistered, and nothing is handed back while a queue's maintenance is running."""

from __future__ import annotations

import os

from redis import Redis
from rq import Retry, Worker
from rq.serializers import JSONSerializer

from workers.abandoned import hand_back
from workers.queues import MESSAGES_QUEUE, queue_for
from workers.worker import TellerWorker


def started_job(raw: Redis, redis_url: str) -> tuple[TellerWorker, str]:
    """A worker of this process that has taken a job and started it, then 'dies' (stops)."""
    queue = queue_for(MESSAGES_QUEUE, raw)
    job = queue.enqueue("tests.jobs_for_tests.mark_done", redis_url, "x", retry=Retry(max=2))
    worker = TellerWorker([queue], connection=raw, serializer=JSONSerializer)
    worker.register_birth()  # type: ignore[no-untyped-call]
    taken = worker.dequeue_job_and_maintain_ttl(timeout=None)
    assert taken is not None and taken[0].id == job.id
    worker.prepare_execution(taken[0])
    assert job.get_status(refresh=True) == "started"
    return worker, job.id


def test_the_job_of_a_dead_worker_goes_back_to_its_queue(redis_url: str) -> None:
    raw = Redis.from_url(redis_url)
    _worker, job_id = started_job(raw, redis_url)
    assert hand_back(raw, os.getpid()) == [job_id]
    queue = queue_for(MESSAGES_QUEUE, raw)
    job = queue.fetch_job(job_id)
    assert job is not None
    assert job.get_status() == "queued" and job_id in queue.job_ids
    assert job.retries_left == 1  # one of its two retries used, as for a lapsed heartbeat
    assert queue.started_job_registry.get_job_ids() == []
    assert Worker.all(connection=raw) == []
    assert hand_back(raw, os.getpid()) == []  # nothing twice


def test_nothing_is_handed_back_while_a_queues_maintenance_runs(redis_url: str) -> None:
    raw = Redis.from_url(redis_url)
    _worker, job_id = started_job(raw, redis_url)
    queue = queue_for(MESSAGES_QUEUE, raw)
    assert queue.acquire_maintenance_lock()  # another worker is cleaning this queue
    assert hand_back(raw, os.getpid()) is None
    assert queue.fetch_job(job_id).get_status() == "started"
    queue.release_maintenance_lock()  # type: ignore[no-untyped-call]
    assert hand_back(raw, os.getpid()) == [job_id]
    assert queue.fetch_job(job_id).get_status() == "queued"


def test_a_worker_that_died_idle_is_only_unregistered(redis_url: str) -> None:
    raw = Redis.from_url(redis_url)
    worker = TellerWorker(
        [queue_for(MESSAGES_QUEUE, raw)], connection=raw, serializer=JSONSerializer
    )
    worker.register_birth()  # type: ignore[no-untyped-call]
    assert hand_back(raw, os.getpid()) == []
    assert Worker.all(connection=raw) == []
