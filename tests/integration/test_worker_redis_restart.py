"""A real ``python -m app worker`` while its Redis restarts: RQ's own worker quits when Redis
stops answering, Teller's process waits for it and serves the queues again, so a job enqueued
after the restart runs without anyone restarting the worker; SIGTERM still stops it. The
outage is logged in lines that say what happened, never as a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker

from tests.integration.test_worker_crash import ROOT, wait_for
from tests.redis_server import RedisServer
from workers.queues import MESSAGES_QUEUE, queue_for


@pytest.mark.slow
def test_the_worker_serves_again_after_redis_restarts(tmp_path: Path) -> None:
    server = RedisServer().start()
    env = {
        **os.environ,
        "REDIS_URL": server.url,
        "BANK_DATABASE": str(tmp_path / "bank.sqlite3"),
        "PUBLIC_BASE_URL": "https://teller.test",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "app", "worker"], env=env, cwd=ROOT, stdout=log, stderr=log
        )
    raw = Redis.from_url(server.url)
    try:
        assert wait_for(lambda: Worker.all(connection=raw), timeout=30, step=0.1)
        # Redis goes away while a job runs: RQ's worker can't record the job's end and quits.
        job = queue_for(MESSAGES_QUEUE, raw).enqueue(
            "tests.jobs_for_tests.slow_mark", server.url, "during", 2.0
        )
        assert wait_for(lambda: job.get_status(refresh=True) == "started", timeout=30)
        server.stop()
        time.sleep(4.0)  # the job ends meanwhile; RQ's worker notices and gives up
        server.start()
        assert worker.poll() is None, "the worker process ended with Redis"
        raw = Redis.from_url(server.url)
        queue_for(MESSAGES_QUEUE, raw).enqueue(
            "tests.jobs_for_tests.mark_done", server.url, "after-restart"
        )
        assert wait_for(lambda: raw.llen("test:ran:after-restart"), timeout=60, step=0.2)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(45) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(5)
        server.stop()
    # The outage is told in lines, not tracebacks (the job that lost Redis included).
    output = log_path.read_text(errors="replace")
    assert "Traceback" not in output, output
    assert "ConnectionError" in output
