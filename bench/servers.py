"""The processes a benchmark runs and watches: apps under gunicorn, and CPU accounting.

Each app runs under gunicorn as a subprocess in its own session, with the same settings for
every app (2 sync workers, no access log), and is stopped on the way out whatever happens. CPU
time is read from ``/proc`` so a run can say how much of it each request cost in the web
workers and in redis-server, and whether something else kept the machine busy.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
SETTINGS = f"{WORKERS} sync workers, no access log, --log-level warning"
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The gunicorn master's children: its workers."""
        found = []
        for entry in Path("/proc").iterdir():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if entry.name.isdigit() and _stat(int(entry.name))[1] == str(self.process.pid):
                    found.append(int(entry.name))
        return found


@contextlib.contextmanager
def gunicorn(
    name: str, app: str, env: Mapping[str, str], log: Path, port: int | None = None
) -> Iterator[Server]:
    """Run ``app`` under gunicorn (on ``port``, or a free one); stop it on the way out."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(WORKERS),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "--graceful-timeout", "5",
        app,
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=out, stderr=out, start_new_session=True
        )
    try:
        server = Server(name, port, process)
        _wait_ready(server, log)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: Server, log: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name}: gunicorn exited:\n{log.read_text()}")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"{server.name}: not ready after {timeout_s:.0f} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the gunicorn master (it stops its workers); kill its session if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def seed_bank(redis_url: str, public_base_url: str, database: Path) -> None:
    """Load the demo seed once, before gunicorn starts, so no worker loads it while booting.

    ``build_services`` checks for an empty bank outside the loading transaction, so two fresh
    workers could both try; and no request should be timed while a seed loads.
    """
    from app import Config, build_services

    config = Config(
        redis_url=redis_url, public_base_url=public_base_url, bank_database=str(database)
    )
    services = build_services(config)
    services.close()
    services.redis.close()
    services.rq_redis.close()


def environment(settings: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment minus anything Teller would read, plus ``settings``."""
    prefixes = ("TELLER_", "TWILIO_", "BANK_", "AUTH_", "ADMIN_", "PIN_", "REDIS_", "MESSENGER")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(settings)
    return env


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat fields after the command name: [state, ppid, …]."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat(pid)
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def machine_busy(seconds: float = 1.0) -> float:
    """The share of all cores busy over ``seconds`` (before a run: 0 on a quiet machine)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    total_0, idle_0 = sample()
    time.sleep(seconds)
    total_1, idle_1 = sample()
    return 1 - (idle_1 - idle_0) / max(1, total_1 - total_0)
