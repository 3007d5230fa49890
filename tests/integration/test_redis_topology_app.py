"""The app and the worker on each Redis topology: ``/readyz`` pings every master, the production
settings check names each master it warns about, and the worker process (``python -m app
worker``) serves the queue — on the stores' Sentinel-managed master, or on the queue's own Redis
beside a Cluster — with RQ's scheduler running the jobs that wait."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from redis import Redis

from app import Config, Services, build_services
from app.redis_topology import queue_connection
from tests.conftest import redis_environment
from tests.fakes import FrozenClock
from tests.redis_topologies import wait_for
from workers.queues import DEFAULT_QUEUE, queue_for

MASTERS = {"single": 1, "sentinel": 1, "cluster": 4}  # a Cluster's 3, and the queue's Redis


@pytest.mark.redis_topologies
def test_readyz_pings_every_master(
    redis_topology: str, services: Services, client: FlaskClient
) -> None:
    assert len(services.redis_masters()) == MASTERS[redis_topology]
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"redis": "ok", "bank": "ok", "queue": "ok"}


@pytest.mark.redis_topologies
def test_the_production_check_names_each_master(
    redis_topology: str, config: Config, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The test servers keep nothing on disk: each master is warned about by its name."""
    with caplog.at_level(logging.WARNING, logger="teller"):
        built = build_services(replace(config, env="production"), clock=clock)
    built.close()
    warned = [r.getMessage() for r in caplog.records if "persistence is off" in r.getMessage()]
    assert len(warned) == MASTERS[redis_topology], warned
    if redis_topology == "sentinel":
        assert warned[0].startswith("production: Sentinel master teller: Redis persistence")
    else:
        assert all(w.startswith("production: 127.0.0.1:") for w in warned), warned


@pytest.mark.slow
@pytest.mark.parametrize("redis_topology", ["sentinel", "cluster"], indirect=True)
def test_the_worker_serves_the_queue_and_its_scheduler(
    redis_topology: str, config: Config, redis_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
    env.update(redis_environment(config), BANK_DATABASE=str(tmp_path / "b.sqlite3"))
    queue = queue_for(DEFAULT_QUEUE, queue_connection(config))
    recorder = Redis.from_url(redis_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"], env=env, cwd=Path(__file__).parents[2]
    )
    try:
        queue.enqueue("tests.jobs_for_tests.mark_done", redis_url, "now")
        # Scheduled: only RQ's scheduler (its own process and connection) moves it to the queue.
        queue.enqueue_in(timedelta(seconds=1), "tests.jobs_for_tests.mark_done", redis_url, "later")
        wait_for(lambda: recorder.llen("test:ran:now") == 1, "the queued job")
        wait_for(lambda: recorder.llen("test:ran:later") == 1, "the scheduled job")
    finally:
        process.terminate()
        process.wait(30)
        recorder.close()
