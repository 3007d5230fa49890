"""A receipt's job reaches the queue in one Redis round trip (the queue's registration, the job
and its place in the queue in one MULTI), and is the job RQ itself would have enqueued."""

from __future__ import annotations

from redis import Redis
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from tests.redis_server import RedisServer
from workers.jobs import enqueue_receipt
from workers.queues import DOCUMENTS_QUEUE, FAILURE_TTL_S, RECEIPT_JOB, RESULT_TTL_S, queue_for


def test_a_receipt_is_enqueued_in_one_round_trip() -> None:
    """Counted by Redis on a server of this test's own (each request a client sends is one read
    event), so no other process of the suite is counted."""
    private = RedisServer().start()
    raw = Redis.from_url(private.url)  # bytes replies, as the app's queue client
    try:

        def reads() -> int:
            return int(raw.info("stats")["total_reads_processed"])

        first = enqueue_receipt(raw, 41)  # RQ asks the server's version once per client
        before = reads()
        job = enqueue_receipt(raw, 42)
        assert reads() - before == 1 + 1  # + 1: the second INFO itself

        queue = queue_for(DOCUMENTS_QUEUE, raw)
        assert queue.job_ids == [first.id, job.id]
        assert raw.sismember("rq:queues", queue.key)
        stored = Job.fetch(job.id, connection=raw, serializer=JSONSerializer)
        assert stored.get_status() is JobStatus.QUEUED
        assert (stored.func_name, stored.args) == ("workers.jobs.send_receipt", [42])
        assert stored.timeout == RECEIPT_JOB.timeout_s
        assert (stored.result_ttl, stored.failure_ttl) == (RESULT_TTL_S, FAILURE_TTL_S)
        assert stored.retries_left == len(RECEIPT_JOB.backoff_s)
        assert stored.retry_intervals == list(RECEIPT_JOB.backoff_s)
    finally:
        raw.close()
        private.stop()
