"""Receipts and statements end to end on real Redis and SQLite: the job renders, protects,
stores and sends; the password goes by SMS only; the media URL is signed and expiring; jobs run
twice send once; failures are told in the chat and ``retry`` sends again; the embedded default
runs the same jobs in-process; job arguments hold ids only."""

from __future__ import annotations

import contextlib
import json
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from pypdf import PdfReader
from redis.cluster import RedisCluster

import workers.context
import workers.jobs
from app import Config, Services, build_services, twilio_messenger
from bot.effects import EffectRunner
from bot.messenger import OutboxMessenger
from flows.effects import ResendDocument
from tests.conftest import AMINA
from tests.documents import (
    AMINA_SAVINGS,
    CHIDI_AT_ACCESS,
    fetch,
    media_messages,
    pdf_text,
    run_jobs,
    sms_passwords,
    transfer,
)
from tests.fakes import FakeTwilioHttp, FrozenClock
from tests.helpers import WhatsApp
from workers.jobs import enqueue_receipt, send_receipt
from workers.queues import DOCUMENTS_QUEUE, JobPolicy

# Their stores on a single Redis, a Sentinel-managed master and a Redis Cluster.
pytestmark = pytest.mark.redis_topologies


def test_a_receipt_arrives_as_protected_media_with_its_password_by_sms(
    services: Services, outbox: OutboxMessenger, client: FlaskClient
) -> None:
    txn_id = transfer(services, "receipt-1")
    enqueue_receipt(services.rq_redis, txn_id)
    run_jobs(services.rq_redis)
    [media] = media_messages(outbox, AMINA)
    [(reference, password)] = sms_passwords(outbox, AMINA)
    assert reference.startswith("TX") and reference in str(media["body"])
    assert password not in json.dumps(outbox.messages(AMINA)[-1])  # not in the WhatsApp message
    assert "password reaches you by SMS" in str(media["body"])
    url = str(media["media_urls"][0])
    assert url.startswith("https://teller.test/media/") and url.endswith(
        f"/receipt-{reference}.pdf"
    )
    status, pdf, headers = fetch(client, url)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "no-store"
    assert f'filename="receipt-{reference}.pdf"' in headers["Content-Disposition"]
    encrypt = PdfReader(BytesIO(pdf)).trailer["/Encrypt"]
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)
    text = pdf_text(pdf, password)
    assert "Amina Yusuf (••6789)" in text and "Chidi Okeke (Access Bank ••4321)" in text
    assert AMINA_SAVINGS not in text and CHIDI_AT_ACCESS not in text
    assert "USD 150.00" in text and reference in text
    assert not PdfReader(BytesIO(pdf)).decrypt("WRONGPASS2")


def test_a_job_run_twice_sends_once(services: Services, outbox: OutboxMessenger) -> None:
    txn_id = transfer(services, "twice")
    assert send_receipt(txn_id) == "sent"
    assert send_receipt(txn_id) == "already sent"
    enqueue_receipt(services.rq_redis, txn_id)
    enqueue_receipt(services.rq_redis, txn_id)
    run_jobs(services.rq_redis)
    assert len(media_messages(outbox, AMINA)) == 1
    assert len(sms_passwords(outbox, AMINA)) == 1


def test_the_media_url_refuses_tampered_and_expired_tokens(
    services: Services, outbox: OutboxMessenger, client: FlaskClient, clock: FrozenClock
) -> None:
    send_receipt(transfer(services, "tamper"))
    url = str(media_messages(outbox, AMINA)[0]["media_urls"][0])
    base, _, filename = url.rpartition("/")
    token = base.rpartition("/")[2]
    assert fetch(client, url)[0] == 200
    assert fetch(client, f"/media/{token}")[0] == 200  # the bare contract path works too
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert fetch(client, f"/media/{flipped}/{filename}")[0] == 404
    media_id, expiry, signature = token.split(".")
    longer = f"{media_id}.{int(expiry) + 3600}.{signature}"
    assert fetch(client, f"/media/{longer}/{filename}")[0] == 404  # a stretched expiry
    assert fetch(client, f"/media/{token}/other.pdf")[0] == 404
    assert fetch(client, "/media/not-a-token")[0] == 404
    clock.advance(minutes=10, seconds=1)
    status, body, headers = fetch(client, url)
    assert status == 404 and b"%PDF" not in body and headers["Cache-Control"] == "no-store"


def test_job_arguments_in_redis_hold_ids_only(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger
) -> None:
    services.auth.sessions.create(AMINA, services.clock())
    txn_id = transfer(services, "args")
    enqueue_receipt(services.rq_redis, txn_id)
    for said in ("statement pdf", "1", "2"):
        whatsapp.send(AMINA, said)
    raw = services.rq_redis  # the queue's Redis: RQ's job hashes
    jobs = [key for key in raw.scan_iter("rq:job:*") if raw.type(key) == b"hash"]
    assert len(jobs) == 2
    # The date of birth in its full forms: "1990" alone turns up by chance in RQ's timestamps.
    dob = ("1990-04-12", "12041990", "12/04/1990")
    personal = (AMINA, AMINA.lstrip("+"), AMINA_SAVINGS, "0123456790", "Amina", "Yusuf", *dob)
    for key in jobs:
        data = json.loads(zlib.decompress(raw.hget(key, "data") or b""))
        func, _, args, kwargs = data
        assert func in ("workers.jobs.send_receipt", "workers.jobs.send_statement")
        assert kwargs == {} and len(args) == 1 and isinstance(args[0], int | str)
        everything = json.dumps(
            {k.decode(): v.decode("latin-1") for k, v in raw.hgetall(key).items()}
        )
        for value in personal:
            assert value not in everything
    run_jobs(services.rq_redis)
    assert len(media_messages(outbox, AMINA)) == 2


class MediaRefused(FakeTwilioHttp):
    """Twilio's API answering 500 to media messages only (texts and SMS go through)."""

    refuse_media = True

    def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = False,
    ) -> Any:
        media = isinstance(data, dict) and "MediaUrl" in data
        self.status = 500 if media and self.refuse_media else 201
        return super().request(method, url, params, data, headers, auth, timeout, allow_redirects)


@pytest.fixture
def twilio_services(config: Config, clock: FrozenClock) -> Iterator[tuple[Services, MediaRefused]]:
    http = MediaRefused()
    sid_config = replace(config, twilio_account_sid="AC" + "1" * 32, twilio_sms_from="+15005550006")
    messenger = twilio_messenger(sid_config, http_client=http)
    built = build_services(sid_config, messenger=messenger, clock=clock)
    yield built, http
    built.close()


def test_failure_after_retries_is_told_in_the_chat_and_retry_sends_again(
    twilio_services: tuple[Services, MediaRefused], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, http = twilio_services
    # The retries as declared, without their back-off waits.
    monkeypatch.setattr(workers.jobs, "RECEIPT_JOB", JobPolicy(DOCUMENTS_QUEUE, 30, (0, 0, 0)))
    job = enqueue_receipt(services.rq_redis, transfer(services, "fails"))
    run_jobs(services.rq_redis)
    assert job.get_status(refresh=True) == "failed"
    media_tries = [r for r in http.requests if "MediaUrl" in r.data]
    assert len(media_tries) == 4  # the first try and 3 retries
    texts = [r.data["Body"][0] for r in http.requests if "MediaUrl" not in r.data]
    assert any("couldn't send your receipt" in t and "*retry*" in t for t in texts)
    # The customer asks again; this time Twilio takes the media.
    http.requests.clear()
    http.refuse_media = False
    runner = EffectRunner(services.redis, services.rq_redis, services.auth.limiter, services.clock)
    customer = services.bank.customer_by_msisdn(AMINA)
    assert customer is not None
    assert runner.perform((ResendDocument(),), customer) is None
    run_jobs(services.rq_redis)
    assert len([r for r in http.requests if "MediaUrl" in r.data]) == 1
    again = runner.perform((ResendDocument(),), customer)
    assert again is not None and again[0].key == "document.nothing_to_resend"


def test_an_undelivered_status_callback_tells_the_customer(
    services: Services, whatsapp: WhatsApp, outbox: OutboxMessenger
) -> None:
    send_receipt(transfer(services, "undelivered"))
    sid = str(media_messages(outbox, AMINA)[0]["id"])  # shaped like Twilio's: two letters, hex
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "63019"}
    url = "https://teller.test/whatsapp/status"
    response = whatsapp.client.post(
        "/whatsapp/status", data=form, headers={"X-Twilio-Signature": whatsapp.sign(form, url)}
    )
    assert response.status_code == 204
    run_jobs(services.rq_redis)
    notices = [m["body"] for m in outbox.messages(AMINA) if "couldn't send" in str(m["body"])]
    assert len(notices) == 1 and "*retry*" in str(notices[0])


def test_the_embedded_default_runs_the_same_jobs_in_process(tmp_path: Path) -> None:
    config = Config(
        public_base_url="https://teller.test", bank_database=str(tmp_path / "bank.sqlite3")
    )
    services = build_services(config, clock=FrozenClock())
    try:
        assert services.embedded_worker is not None
        enqueue_receipt(services.rq_redis, transfer(services, "embedded"))
        outbox = services.messenger
        assert isinstance(outbox, OutboxMessenger)
        deadline = time.monotonic() + 20
        while not media_messages(outbox, AMINA) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(media_messages(outbox, AMINA)) == 1
        assert len(sms_passwords(outbox, AMINA)) == 1
    finally:
        services.close()


class _PointerLost:
    """A pipeline whose node for the message's pointer fails while the others take their
    commands, as a Cluster pipeline does (it writes to each node apart and goes on)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> _PointerLost:
            self.calls.append((name, args, kwargs))
            return self

        return record

    def execute(self) -> list[Any]:
        lost = False
        for name, args, kwargs in self.calls:
            if name == "set" and str(args[0]).startswith("teller:docmsg:"):
                lost = True
                continue
            getattr(self.real, name)(*args, **kwargs)
        results: list[Any] = self.real.execute()
        if lost:
            raise redis.exceptions.ConnectionError("the pointer's node is down")
        return results


def test_a_document_marked_sent_always_has_its_message_pointer(
    services: Services, outbox: OutboxMessenger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a Cluster, however the last writes fail part-way, a sent mark never stands without
    the pointer a status callback finds the document by (``retry`` after a failed delivery
    needs it). One server runs a pipeline in order, so there the fault can't happen."""
    store = workers.context.current().redis
    if not isinstance(store, RedisCluster):
        pytest.skip("only a Cluster pipeline writes to its nodes apart")
    real_pipeline = store.pipeline
    monkeypatch.setattr(store, "pipeline", lambda *a, **k: _PointerLost(real_pipeline(*a, **k)))
    txn_id = transfer(services, "pointer")
    with contextlib.suppress(redis.exceptions.ConnectionError):
        send_receipt(txn_id)  # the job fails and is retried: what it left must be consistent
    monkeypatch.undo()
    [sent] = media_messages(outbox, AMINA)
    assert send_receipt(txn_id) == "already sent"
    assert store.get(f"teller:docmsg:{sent['id']}") is not None
