"""RQ wiring: the in-process worker of the embedded default, and the worker entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import fakeredis
import pytest
from redis import Redis

from workers.embedded import EmbeddedWorker
from workers.queues import DEFAULT_QUEUE, QUEUES, queue_for


def wait_for(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_queues_use_the_json_serializer(redis_url: str) -> None:
    queue = queue_for(DEFAULT_QUEUE, Redis.from_url(redis_url))
    job = queue.enqueue("tests.jobs_for_tests.mark_done", redis_url, "k1", failure_ttl=60)
    raw = Redis.from_url(redis_url).hget(f"rq:job:{job.id}", "data")
    assert raw is not None
    data = json.loads(zlib.decompress(raw))  # RQ compresses; inside is JSON, not a pickle
    assert data[0] == "tests.jobs_for_tests.mark_done" and data[2] == [redis_url, "k1"]
    with pytest.raises(ValueError, match="unknown queue"):
        queue_for("nope", Redis.from_url(redis_url))


def test_embedded_worker_runs_jobs_in_process(redis_url: str) -> None:
    """The embedded default: an in-memory Redis and a worker thread in the web process."""
    server = fakeredis.FakeServer()
    connection = fakeredis.FakeRedis(server=server)
    worker = EmbeddedWorker(connection, list(QUEUES))
    worker.start()
    try:
        queue = queue_for(DEFAULT_QUEUE, connection)
        job = queue.enqueue("tests.jobs_for_tests.mark_done", redis_url, "embedded")
        recorder = Redis.from_url(redis_url)
        assert wait_for(lambda: recorder.llen("test:ran:embedded") == 1)
        assert recorder.lrange("test:ran:embedded", 0, -1) == [str(os.getpid()).encode()]
        assert wait_for(lambda: job.get_status(refresh=True) == "finished")
    finally:
        worker.stop()


@pytest.mark.slow
def test_worker_entry_point_runs_jobs_against_real_redis(redis_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "REDIS_URL": redis_url, "BANK_DATABASE": str(tmp_path / "b.sqlite3")}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"], env=env, cwd=Path(__file__).parents[2]
    )
    try:
        queue = queue_for(DEFAULT_QUEUE, Redis.from_url(redis_url))
        queue.enqueue("tests.jobs_for_tests.mark_done", redis_url, "process")
        recorder = Redis.from_url(redis_url)
        assert wait_for(lambda: recorder.llen("test:ran:process") == 1, timeout=20)
        assert recorder.lrange("test:ran:process", 0, -1) != [str(os.getpid()).encode()]
    finally:
        process.terminate()
        process.wait(10)


def test_worker_without_redis_explains_itself() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "worker"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=60,
    )
    assert result.returncode == 2 and "REDIS_URL is not set" in result.stderr
