"""Document jobs while Twilio's REST API fails, through Twilio's own client and a fake Twilio
server on loopback: a job retries with its back-off and the receipt arrives once; with Twilio
down for good the job fails after its retries and the customer is still told, by a notice job
retried until Twilio is back (dropped if the document went meanwhile), and ``retry`` is
remembered for them. A message Twilio accepted behind an error is sent again by the
retry: documents are at least once (the same PDF twice beats none), see ``workers.delivery``;
but a document has one password however often its job runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO

import pytest
from pypdf import PdfReader
from rq import SimpleWorker
from rq.serializers import JSONSerializer

import workers.jobs
from app import Config, Services
from tests.conftest import AMINA
from tests.documents import run_jobs, transfer
from tests.fake_twilio_server import SID, FakeTwilioServer, Fault, loopback_services, twilio_config
from tests.fakes import FrozenClock
from workers.jobs import enqueue_receipt, send_receipt
from workers.media import MEDIA_KEY
from workers.queues import DOCUMENTS_QUEUE, MESSAGES_QUEUE, JobPolicy, queue_for
from workers.requests import DocumentRef, take_failed


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
    """The retries as declared, without their back-off waits (a burst worker runs them all)."""
    monkeypatch.setattr(workers.jobs, "RECEIPT_JOB", JobPolicy(DOCUMENTS_QUEUE, 30, (0, 0, 0)))
    monkeypatch.setattr(workers.jobs, "TELL_JOB", JobPolicy(MESSAGES_QUEUE, 15, (0, 0, 0)))


def media(server: FakeTwilioServer) -> list[dict[str, object]]:
    return [m for m in server.messages(AMINA) if m["media_urls"]]


def passwords(server: FakeTwilioServer) -> list[str]:
    return [str(m["body"]) for m in server.messages(AMINA) if "the password" in str(m["body"])]


def password_of(body: str) -> str:
    found = re.search(r"is ([2-9A-Z]{10})\b", body)
    assert found, body
    return found.group(1)


def opens_with(services: Services, message: dict[str, object], password: str) -> bool:
    """Whether the PDF the media message links to opens with ``password``."""
    urls = message["media_urls"]
    assert isinstance(urls, list) and len(urls) == 1
    token = str(urls[0]).split("/media/", 1)[1].split("/", 1)[0]
    stored = services.media.get(token)
    assert stored is not None
    return bool(PdfReader(BytesIO(stored.pdf)).decrypt(password))


def told_failed(server: FakeTwilioServer) -> list[str]:
    return [str(m["body"]) for m in server.messages(AMINA) if "couldn't send" in str(m["body"])]


@pytest.mark.parametrize(
    "fault", [Fault.ERROR_500, Fault.UNAVAILABLE_503, Fault.TOO_MANY_429, Fault.RESET, Fault.HANG]
)
def test_a_receipt_job_retries_through_a_fault_and_arrives_once(
    services: Services, server: FakeTwilioServer, fault: Fault
) -> None:
    # The password SMS goes; the media message fails once (a 429 asking for no wait: the retry
    # comes at once, test_twilio_retry_after.py has the waits).
    server.fail_next(None, fault, retry_after_s=0)
    job = enqueue_receipt(services.rq_redis, transfer(services, f"k-{fault}"))
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "finished"
    assert len(media(server)) == 1 and len(passwords(server)) == 1
    assert told_failed(server) == []


def test_a_password_sms_refused_with_429_is_sent_once_when_retried(
    services: Services, server: FakeTwilioServer
) -> None:
    server.fail_next(Fault.TOO_MANY_429, retry_after_s=0)
    job = enqueue_receipt(services.rq_redis, transfer(services, "k-429"))
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "finished"
    assert len(media(server)) == 1 and len(passwords(server)) == 1


def test_media_accepted_behind_a_500_is_sent_again_the_same(
    services: Services, server: FakeTwilioServer
) -> None:
    server.fail_next(None, Fault.ACCEPTED_500)
    job = enqueue_receipt(services.rq_redis, transfer(services, "k-accepted"))
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "finished"
    first, second = media(server)
    assert first["media_urls"] == second["media_urls"]  # the same PDF, its one password
    assert len(passwords(server)) == 1


def test_twilio_down_for_good_the_customer_is_told_when_it_is_back(
    services: Services, server: FakeTwilioServer
) -> None:
    # The receipt's four tries, the notice at once, and the notice job's first try all meet a
    # 503; then Twilio is back.
    server.fail_next(*[Fault.UNAVAILABLE_503] * 6)
    txn_id = transfer(services, "k-down")
    job = enqueue_receipt(services.rq_redis, txn_id)
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "failed"
    assert server.attempts == 7
    [notice] = told_failed(server)
    assert "receipt" in notice and "*retry*" in notice
    assert media(server) == []
    assert take_failed(services.redis, AMINA) == DocumentRef("receipt", str(txn_id))


def test_a_late_notice_is_dropped_once_the_document_went(
    services: Services, server: FakeTwilioServer
) -> None:
    server.fail_next(*[Fault.UNAVAILABLE_503] * 5)  # the receipt's tries and the notice at once
    txn_id = transfer(services, "k-late")
    queue = queue_for(MESSAGES_QUEUE, services.rq_redis)
    enqueue_receipt(services.rq_redis, txn_id)
    worker = SimpleWorker(
        [queue_for(DOCUMENTS_QUEUE, services.rq_redis)],
        connection=services.rq_redis,
        serializer=JSONSerializer,
    )
    worker.work(burst=True)  # the documents only: the notice waits on its queue
    [late] = queue.jobs
    assert late.func_name == "workers.jobs.tell_failed" and late.args == [f"receipt:{txn_id}"]
    # Meanwhile the customer's ``retry`` got the receipt through.
    assert send_receipt(txn_id) == "sent"
    run_jobs(services.rq_redis)
    assert late.get_status(refresh=True) == "finished" and late.return_value() == "delivered since"
    assert told_failed(server) == [] and len(media(server)) == 1


def test_a_password_sms_accepted_behind_a_500_is_sent_again_with_the_same_password(
    services: Services, server: FakeTwilioServer
) -> None:
    """Twilio took the password SMS and answered 500: the retry can't know it went, so it sends
    the SMS again, but with the same password, and the one PDF opens with it."""
    server.fail_next(Fault.ACCEPTED_500)
    job = enqueue_receipt(services.rq_redis, transfer(services, "k-sms-accepted"))
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "finished"
    sent = passwords(server)
    assert len(sent) == 2 and len({password_of(body) for body in sent}) == 1
    [pdf] = media(server)
    assert opens_with(services, pdf, password_of(sent[0]))


def test_a_retry_that_renders_the_pdf_again_keeps_its_password_and_sends_no_second_sms(
    services: Services, server: FakeTwilioServer
) -> None:
    """The password SMS went, the media message failed, and the stored PDF lapsed before the
    retry: the retry renders it again under the same password and sends no SMS."""
    server.fail_next(None, Fault.ERROR_500)
    job = enqueue_receipt(services.rq_redis, transfer(services, "k-lapsed"))
    worker = SimpleWorker(
        [queue_for(DOCUMENTS_QUEUE, services.rq_redis)],
        connection=services.rq_redis,
        serializer=JSONSerializer,
    )
    worker.work(burst=True, max_jobs=1)  # the first attempt only: the retry waits its turn
    assert job.get_status(refresh=True) == "queued" and media(server) == []
    for stored in services.rq_redis.scan_iter(MEDIA_KEY.format(media_id="*")):
        services.rq_redis.delete(stored)
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "finished"
    [sms] = passwords(server)
    [pdf] = media(server)
    assert opens_with(services, pdf, password_of(sms))
