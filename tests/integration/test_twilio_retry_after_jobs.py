"""Twilio's ``Retry-After`` honoured by the jobs' retries, through Twilio's own client and the
fake Twilio server on loopback: a 429 asking to wait N seconds puts the job's next try N seconds
out (never sooner than its declared back-off, never more than RETRY_AFTER_CAP_S), and the error
the messenger raises carries the wait."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

import workers.jobs
from app import Config, Services
from messaging import Channel, MessengerError
from tests.conftest import AMINA
from tests.documents import transfer
from tests.fake_twilio_server import SID, FakeTwilioServer, Fault, loopback_services, twilio_config
from tests.fakes import FrozenClock
from workers.jobs import enqueue_receipt
from workers.queues import (
    DOCUMENTS_QUEUE,
    MESSAGES_QUEUE,
    RETRY_AFTER_CAP_S,
    JobPolicy,
    queue_for,
)


@pytest.fixture
def server(config: Config) -> Iterator[FakeTwilioServer]:
    running = FakeTwilioServer(SID, config.twilio_auth_token).start()
    yield running
    running.stop()


@pytest.fixture
def services(config: Config, clock: FrozenClock, server: FakeTwilioServer) -> Iterator[Services]:
    built = loopback_services(twilio_config(config, 1), server, clock=clock)
    yield built
    built.close()


@pytest.fixture(autouse=True)
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back-offs of 0 s: any wait a retry gets is Twilio's Retry-After."""
    monkeypatch.setattr(workers.jobs, "RECEIPT_JOB", JobPolicy(DOCUMENTS_QUEUE, 30, (0, 0, 0)))


def one_attempt(services: Services, queue: str) -> None:
    """Run one job of ``queue`` in this process, as a worker would."""
    worker = SimpleWorker(
        [queue_for(queue, services.rq_redis)],
        connection=services.rq_redis,
        serializer=JSONSerializer,
    )
    worker.work(burst=True, max_jobs=1)


def retry_in_s(services: Services, job: Job, queue: str) -> float:
    """How far out the job's retry is scheduled (it must be scheduled, not queued)."""
    assert job.get_status(refresh=True) == "scheduled"
    registry = ScheduledJobRegistry(  # type: ignore[no-untyped-call]
        queue, connection=services.rq_redis
    )
    at = registry.get_scheduled_time(job)
    return (at - datetime.now(UTC)).total_seconds()


def test_the_messenger_s_error_carries_twilio_s_retry_after(
    services: Services, server: FakeTwilioServer
) -> None:
    server.fail_next(Fault.TOO_MANY_429, retry_after_s=7)
    with pytest.raises(MessengerError) as info:
        services.messenger.send(Channel.SMS, AMINA, "Demo Bank: hello")
    assert info.value.retryable and info.value.retry_after_s == 7
    server.fail_next(Fault.ERROR_500)
    with pytest.raises(MessengerError) as plain:
        services.messenger.send(Channel.SMS, AMINA, "Demo Bank: hello")
    assert plain.value.retry_after_s is None


def test_a_receipt_job_refused_with_429_retries_after_the_wait_twilio_asked_for(
    services: Services, server: FakeTwilioServer
) -> None:
    server.fail_next(None, Fault.TOO_MANY_429, retry_after_s=20)  # the media message: 429
    job = enqueue_receipt(services.rq_redis, transfer(services, "k-retry-after"))
    one_attempt(services, DOCUMENTS_QUEUE)
    assert 10 < retry_in_s(services, job, DOCUMENTS_QUEUE) <= 20  # generous: a loaded machine
    job.refresh()  # type: ignore[no-untyped-call]
    assert job.retries_left == 2 and job.retry_intervals == [20, 0, 0]  # the later ones as declared


def test_a_very_long_retry_after_is_capped(services: Services, server: FakeTwilioServer) -> None:
    server.fail_next(Fault.TOO_MANY_429, retry_after_s=86_400)
    job = enqueue_receipt(services.rq_redis, transfer(services, "k-retry-cap"))
    one_attempt(services, DOCUMENTS_QUEUE)
    assert RETRY_AFTER_CAP_S - 30 < retry_in_s(services, job, DOCUMENTS_QUEUE) <= RETRY_AFTER_CAP_S


def test_a_late_failure_notice_waits_for_twilio_s_retry_after_too(
    services: Services, server: FakeTwilioServer
) -> None:
    txn_id = transfer(services, "k-notice-wait")
    job = JobPolicy(MESSAGES_QUEUE, 15, (0, 0)).enqueue(
        services.rq_redis, "workers.jobs.tell_failed", f"receipt:{txn_id}"
    )
    server.fail_next(Fault.TOO_MANY_429, retry_after_s=20)
    one_attempt(services, MESSAGES_QUEUE)
    assert 10 < retry_in_s(services, job, MESSAGES_QUEUE) <= 20
