"""A real ``python -m app worker`` process on the suite's real Redis: the process rendering a
big statement is killed with ``kill -9`` mid-render (or the whole worker is), RQ retries the job,
and the customer receives exactly one media message (and one password)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from app import Services
from bank.ports import TransferRequest
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA, BASE_URL, redis_environment
from tests.documents import AMINA_ID, AMINA_SAVINGS, TUNDE_CURRENT, media_messages, sms_passwords
from workers.jobs import enqueue_statement
from workers.requests import create_request

ROOT = Path(__file__).parents[2]
MOVEMENTS = 2500  # enough lines that rendering takes long enough to be caught in the act


def wait_for(predicate: Callable[[], object], timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (the supervisor's work process)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def job_process(raw: Redis, job: Job) -> int | None:
    """The process running ``job``: RQ records its worker's name on the job and the worker's
    pid on the worker."""
    job.refresh()  # type: ignore[no-untyped-call]
    if not job.worker_name:
        return None
    pid = raw.hget(f"rq:worker:{job.worker_name}", "pid")
    return int(pid) if pid else None


@pytest.mark.slow
def test_a_job_killed_mid_render_is_retried_at_once_and_sends_once(
    services: Services, outbox: OutboxMessenger
) -> None:
    """``kill -9`` of the process rendering a big statement: the supervisor of ``python -m app
    worker`` sees it die, hands the job back to RQ and starts a new process, which sends the
    statement well within 60 s; the customer gets one statement and one password."""
    for n in range(MOVEMENTS):
        services.bank.transfer(
            TransferRequest(
                f"k{n}", AMINA_SAVINGS, TUNDE_CURRENT, "001", Decimal("0.50"), "", AMINA_ID
            )
        )
    # Amina asked for it in the chat just now, on the worker process's own (real) clock.
    services.outbound.window.seen(AMINA, datetime.now(UTC))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REDIS_")},
        **redis_environment(services.config),
        "BANK_DATABASE": services.config.bank_database,
        "PUBLIC_BASE_URL": BASE_URL,
    }
    worker = subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env, cwd=ROOT)
    raw = services.rq_redis  # the queue's Redis
    try:
        assert wait_for(lambda: Worker.all(connection=raw), timeout=30, step=0.1)
        request = create_request(
            services.redis,
            msisdn=AMINA,
            customer_id=AMINA_ID,
            account=AMINA_SAVINGS,
            first=date(2026, 10, 1),
            last=date(2026, 11, 2),
        )
        job = enqueue_statement(services.rq_redis, request.request_id)
        assert wait_for(lambda: job.get_status(refresh=True) == "started", timeout=30)
        rendering = job_process(raw, job)
        assert rendering is not None and rendering in children(worker.pid)
        os.kill(rendering, signal.SIGKILL)
        killed_at = time.monotonic()
        # Killed mid-render: nothing had gone out yet.
        assert media_messages(outbox, AMINA) == [] and sms_passwords(outbox, AMINA) == []
        assert wait_for(lambda: media_messages(outbox, AMINA), timeout=90, step=0.1)
        retried_in = time.monotonic() - killed_at
        assert retried_in < 60, f"retried {retried_in:.0f} s after the kill"
        assert wait_for(lambda: job.get_status(refresh=True) == "finished", timeout=30)
        time.sleep(1.0)  # a second delivery, were there one, would land by now
        assert len(media_messages(outbox, AMINA)) == 1
        [(reference, _password)] = sms_passwords(outbox, AMINA)
        assert reference == request.request_id
        fetched = Job.fetch(job.id, connection=raw, serializer=JSONSerializer)
        assert fetched.retries_left == 2  # one of its three retries was used
        assert worker.poll() is None and children(worker.pid) - {rendering}, "no new process"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)


@pytest.mark.slow
def test_a_worker_killed_outright_has_its_job_retried_within_seconds(
    services: Services, outbox: OutboxMessenger
) -> None:
    """The whole worker dies (``kill -9`` of the worker, its work horse and its scheduler, as
    when a machine is lost): another worker takes the abandoned job back within seconds (not
    at RQ's next ten-minute maintenance) and runs it at once (its first retry has no wait, so
    no scheduler is needed), well within 60 s; the customer gets one statement."""
    for n in range(MOVEMENTS):
        services.bank.transfer(
            TransferRequest(
                f"k{n}", AMINA_SAVINGS, TUNDE_CURRENT, "001", Decimal("0.50"), "", AMINA_ID
            )
        )
    # Amina asked for it in the chat just now, on the worker process's own (real) clock.
    services.outbound.window.seen(AMINA, datetime.now(UTC))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REDIS_")},
        **redis_environment(services.config),
        "BANK_DATABASE": services.config.bank_database,
        "PUBLIC_BASE_URL": BASE_URL,
    }
    raw = services.rq_redis  # the queue's Redis
    first = subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env, cwd=ROOT)
    second: subprocess.Popen[bytes] | None = None
    try:
        assert wait_for(lambda: Worker.all(connection=raw), timeout=30, step=0.1)
        request = create_request(
            services.redis,
            msisdn=AMINA,
            customer_id=AMINA_ID,
            account=AMINA_SAVINGS,
            first=date(2026, 10, 1),
            last=date(2026, 11, 2),
        )
        job = enqueue_statement(services.rq_redis, request.request_id)
        assert wait_for(lambda: job.get_status(refresh=True) == "started", timeout=30)
        for pid in children(first.pid):
            os.kill(pid, signal.SIGKILL)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(5)
        killed_at = time.monotonic()
        assert media_messages(outbox, AMINA) == []
        second = subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env, cwd=ROOT)
        assert wait_for(lambda: job.get_status(refresh=True) != "started", timeout=40, step=0.2)
        taken_back_in = time.monotonic() - killed_at
        assert taken_back_in < 30, f"taken back {taken_back_in:.0f} s after the worker died"
        assert wait_for(lambda: media_messages(outbox, AMINA), timeout=100, step=0.2)
        retried_in = time.monotonic() - killed_at
        assert retried_in < 60, f"retried {retried_in:.0f} s after the worker died"
        assert wait_for(lambda: job.get_status(refresh=True) == "finished", timeout=30)
        time.sleep(1.0)
        assert len(media_messages(outbox, AMINA)) == 1
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
