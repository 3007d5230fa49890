"""Queue names and how jobs are enqueued: RQ's JSON serializer (never pickle), explicit TTLs,
and each kind of job's timeout and retries declared once, where it is enqueued.

Connections are always passed in; nothing here creates a client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redis import Redis
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

MESSAGES_QUEUE = "messages"  # outbound messages the bank sends on its own initiative
DOCUMENTS_QUEUE = "documents"  # receipts and statements (CPU-heavy rendering)
DEFAULT_QUEUE = "default"
QUEUES = (MESSAGES_QUEUE, DOCUMENTS_QUEUE, DEFAULT_QUEUE)  # a worker serves them in this order

JOB_TIMEOUT_S = 60
RESULT_TTL_S = 600  # results are only for inspection; job effects are recorded elsewhere
FAILURE_TTL_S = 7 * 24 * 3600  # failed jobs stay a week for an operator to look at


def queue_for(name: str, connection: Redis) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; expected one of {', '.join(QUEUES)}")
    return Queue(
        name,
        connection=connection,
        serializer=JSONSerializer,
        default_timeout=JOB_TIMEOUT_S,
    )


@dataclass(frozen=True)
class JobPolicy:
    """How one kind of job runs: its queue, time limit and retries with growing back-off."""

    queue: str
    timeout_s: int
    backoff_s: tuple[int, ...]  # one wait per retry: len() is the number of retries

    def enqueue(self, connection: Redis, func: str, *ids: str | int) -> Job:
        """Enqueue ``func`` (an importable name) with ids only: never personal data.

        One round trip: the queue's registration, the job and its place in the queue go in one
        MULTI (RQ alone sends the registration on its own first). The queue's Redis is never a
        Cluster (``app.redis_topology``), so the keys' slots don't matter."""
        assert all(isinstance(i, str | int) for i in ids)
        with connection.pipeline() as pipe:
            job = queue_for(self.queue, connection).enqueue(
                func,
                *ids,
                job_timeout=self.timeout_s,
                result_ttl=RESULT_TTL_S,
                failure_ttl=FAILURE_TTL_S,
                retry=Retry(max=len(self.backoff_s), interval=list(self.backoff_s)),
                pipeline=pipe,
            )
            pipe.execute()
        return job


# A service that answers "429, Retry-After: N" (Twilio) is waited for: the job's next retry comes
# no sooner than N seconds, up to this cap (a longer wait is left to the declared back-off).
RETRY_AFTER_CAP_S = 300


def wait_at_least(job: Job | None, wait_s: float | None) -> None:
    """Make ``job``'s next retry wait at least ``wait_s`` seconds (capped at RETRY_AFTER_CAP_S),
    never less than its declared back-off. Call it just before the job raises: RQ schedules the
    retry from the interval of the job object that runs (``get_current_job()`` is that object).
    Nothing happens outside a job, on its last attempt, or without a wait."""
    if job is None or wait_s is None or not job.retries_left or job.retry_intervals is None:
        return
    intervals = list(job.retry_intervals)
    index = max(len(intervals) - job.retries_left, 0)  # as rq.job.Job.get_retry_interval
    wanted = min(RETRY_AFTER_CAP_S, max(0, math.ceil(wait_s)))
    if index < len(intervals) and intervals[index] < wanted:
        intervals[index] = wanted
        job.retry_intervals = intervals


# A receipt is small; a year of statement lines is not. Both retry at once, then less often:
# a first retry without a wait goes straight back on the queue, so a job left by a worker that
# died is run again without waiting for a scheduler (a dead one's lock lapses only after 61 s).
RECEIPT_JOB = JobPolicy(DOCUMENTS_QUEUE, timeout_s=30, backoff_s=(0, 10, 30))
STATEMENT_JOB = JobPolicy(DOCUMENTS_QUEUE, timeout_s=120, backoff_s=(0, 10, 30))
NOTICE_JOB = JobPolicy(MESSAGES_QUEUE, timeout_s=15, backoff_s=(5, 30, 120))
# A document's failure notice that couldn't go when the document failed (Twilio itself was
# down): retried for about forty minutes, so the customer hears once Twilio is back.
TELL_JOB = JobPolicy(MESSAGES_QUEUE, timeout_s=15, backoff_s=(30, 120, 600, 1800))
