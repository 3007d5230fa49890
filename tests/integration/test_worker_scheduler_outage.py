"""A real ``python -m app worker`` whose Redis goes away and comes back: the scheduler (it moves
retries and claim refunds onto their queues when their time comes) says so in one warning line,
prints no traceback, and schedules again as soon as Redis answers, in the same process, without
waiting for a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker

from tests.integration.test_worker_crash import ROOT, wait_for
from tests.redis_server import RedisServer
from workers.queues import MESSAGES_QUEUE, queue_for


def scheduler_pids(client: Redis) -> set[int]:
    """The processes of the RQ schedulers registered in Redis (``rq:scheduler:<name>``)."""
    pids = set()
    for key in client.scan_iter("rq:scheduler:*"):
        if b"scheduler-lock" in key:
            continue
        pid = client.hget(key, "pid")
        if pid:
            pids.add(int(pid))
    return pids


@pytest.mark.slow
def test_the_scheduler_waits_out_a_redis_outage_quietly_and_resumes_at_once(
    tmp_path: Path,
) -> None:
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
        assert wait_for(lambda: scheduler_pids(raw), timeout=30, step=0.1)
        [before] = scheduler_pids(raw)
        server.stop()
        time.sleep(4.0)  # several of the scheduler's 1 s rounds fail meanwhile
        server.start()
        assert worker.poll() is None, "the worker process ended with Redis"
        raw = Redis.from_url(server.url)
        # Redis came back empty (no persistence here): the scheduler registers again at once,
        # from the same process: it was not left to die and be restarted.
        assert wait_for(lambda: scheduler_pids(raw), timeout=30, step=0.1)
        assert scheduler_pids(raw) == {before}
        # A retry due 1 s from now is moved onto its queue and run.
        due = time.monotonic() + 1.0
        queue_for(MESSAGES_QUEUE, raw).enqueue_in(
            timedelta(seconds=1), "tests.jobs_for_tests.mark_done", server.url, "scheduled"
        )
        assert wait_for(lambda: raw.llen("test:ran:scheduled"), timeout=60, step=0.1)
        late = time.monotonic() - due
        assert late < 20, f"a job due after the outage ran {late:.0f} s late"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(45) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(5)
        server.stop()
    output = log_path.read_text(errors="replace")
    assert "Traceback" not in output, output
    warnings = [
        line for line in output.splitlines() if "scheduler" in line.lower() and "WARNING" in line
    ]
    assert len(warnings) == 1, output
    assert "Redis" in warnings[0]
