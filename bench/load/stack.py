"""The processes a load run drives: a private redis-server that can be restarted on its port,
Teller under gunicorn, RQ workers, and the seed of generated customers in a temporary bank.

Redis runs as production should (SECURITY.md: append-only file on, ``noeviction``), so that
stopping and starting it mid-run is a restart, not an empty database. Gunicorn runs with the
same settings as the other benchmarks (``bench.servers``: 2 sync workers, no access log) in
development mode with ``MESSENGER=outbox``, so codes and receipts land in the dev outbox;
``PUBLIC_BASE_URL`` points at gunicorn itself, so every link in a reply can be followed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis import Redis

from bench.servers import Server, environment, gunicorn
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
AUTH_TOKEN = "load-twilio-auth-token-0123456789abcdef"  # noqa: S105 - a fixed test value
RQ_WORKERS = 2
TELLER_APP = "app:create_app()"
# A run squeezes hours of a customer's chat into minutes: the step-up limit (starts an hour per
# number) is set to its ceiling, and sessions idle out after the longest idle time allowed.
SETTINGS = {"STEPUP_STARTS_PER_HOUR": "60", "SESSION_IDLE_MINUTES": "30"}


class PersistentRedis:
    """A redis-server on a fixed loopback port with its append-only file in ``directory``:
    ``stop`` then ``start`` is a restart that keeps the data, as in production."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server was not found on PATH: run `make system-test`")
        self.binary = binary
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, timeout_s: float = 10.0) -> PersistentRedis:
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.directory), "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--maxmemory-policy", "noeviction", "--protected-mode", "yes",
        ]  # fmt: skip
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout_s
        while True:
            client = Redis(port=self.port, socket_connect_timeout=0.2)
            try:
                if client.ping() and client.info("persistence").get("loading") == 0:
                    return self
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on {self.port}") from None
            finally:
                client.close()
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM: redis-server writes its append-only file out and exits."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None


def load_seed(count: int) -> dict[str, Any]:
    """The demo seed's bank, billers and levels with ``count`` generated customers, each with
    a savings and a current account and one payee at another bank (the transfer benchmark's)."""
    from bench.transfer import bench_seed

    return bench_seed(count)


@dataclass
class Stack:
    tmp: Path
    redis: PersistentRedis
    web: Server
    public_url: str
    database: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def client(self) -> Redis:
        return Redis.from_url(self.redis.url, decode_responses=True)


def _seed_bank(redis_url: str, public_url: str, seed: Path, database: Path) -> None:
    """Load the seed once, before any server starts (see ``bench.servers.seed_bank``)."""
    from app import Config, build_services

    config = Config(
        redis_url=redis_url, public_base_url=public_url,
        bank_database=str(database), bank_seed=str(seed),
    )  # fmt: skip
    services = build_services(config)
    services.close()
    services.redis.close()
    services.rq_redis.close()


def _start_worker(env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "worker"],
            cwd=ROOT, env=dict(env), stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # RQ's warm shutdown: the job under way finishes
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@contextlib.contextmanager
def running(tmp: Path, customers: int) -> Iterator[Stack]:
    """Redis, the seeded bank, gunicorn and the RQ workers; all stopped on the way out."""
    redis = PersistentRedis(tmp / "redis").start()
    try:
        seed = tmp / "load-seed.json"
        seed.write_text(json.dumps(load_seed(customers)), encoding="utf-8")
        database = tmp / "bank.sqlite3"
        port = free_port()
        public_url = f"http://127.0.0.1:{port}"
        _seed_bank(redis.url, public_url, seed, database)
        env = environment(
            {
                "TELLER_ENV": "development",
                "REDIS_URL": redis.url,
                "PUBLIC_BASE_URL": public_url,
                "BANK_DATABASE": str(database),
                "BANK_SEED": str(seed),
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "MESSENGER": "outbox",
                **SETTINGS,
            }
        )
        with gunicorn("teller", TELLER_APP, env, tmp / "gunicorn.log", port=port) as web:
            stack = Stack(tmp, redis, web, public_url, database)
            try:
                for n in range(RQ_WORKERS):
                    stack.workers.append(_start_worker(env, tmp / f"worker-{n}.log"))
                yield stack
            finally:
                for process in stack.workers:
                    _stop_worker(process)
    finally:
        redis.stop()
