"""A private ``redis-server`` on a free loopback port, for tests and benchmarks.

Nothing here touches a Redis the machine may already run: each server gets its own port, keeps
nothing on disk, and is stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

from redis import Redis

MISSING = (
    "redis-server was not found on PATH. The tests run against a real Redis: run `make test` "
    "(it installs redis-server with apt-get) or install it yourself."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(MISSING)
        self.binary = binary
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # Its working folder: a test that turns persistence on writes there, never into the
        # checkout the tests run from.
        self.directory = tempfile.mkdtemp(prefix="teller-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        os.makedirs(self.directory, exist_ok=True)  # again after a stop (a restart)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--dir",
                self.directory,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        client = Redis(port=self.port, socket_connect_timeout=0.2)
        while True:
            try:
                client.ping()
                return self
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.02)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)
