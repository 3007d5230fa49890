"""A private PostgreSQL server for tests and benchmarks, from Debian's server binaries.

``initdb`` makes a cluster in a fresh temporary directory and ``postgres`` serves it on a free
loopback port (``fsync`` off: nothing here must survive a crash), its socket in that directory.
Nothing touches a PostgreSQL the machine may already run. ``initdb`` and ``postgres`` refuse to
run as root, so as root both run as the ``postgres`` system user (the Debian package creates it)
through ``setpriv``, the directory handed to that user. ``template`` is a database holding the
bank's tables, so each test gets a fresh database by ``CREATE DATABASE … TEMPLATE`` (a file copy,
quicker than creating the tables again).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from itertools import count

import psycopg

from bank.pg_db import PostgresDatabase
from bank.schema import TABLES
from tests.redis_server import free_port

MISSING = (
    "PostgreSQL's server binaries (initdb, postgres) were not found under "
    "/usr/lib/postgresql/*/bin. The bank tests also run against a real PostgreSQL: run "
    "`make test` (it installs postgresql with apt-get) or install it yourself."
)
TEMPLATE = "teller_template"
_names = count(1)


def binaries() -> str | None:
    """The newest installed server's bin directory, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return os.path.dirname(found[-1]) if found else None


def _as_server_user(command: Sequence[str]) -> list[str]:
    if os.geteuid() != 0:
        return list(command)
    # setpriv execs the command itself (no parent in between), so signals reach postgres.
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("setpriv is missing: it runs PostgreSQL as the postgres user")
    return [setpriv, "--reuid=postgres", "--regid=postgres", "--init-groups", *command]


class PostgresServer:
    def __init__(self, port: int | None = None) -> None:
        folder = binaries()
        if folder is None:
            raise RuntimeError(MISSING)
        self.bin = folder
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="teller-pg-")
        self.data = os.path.join(self.dir, "data")
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_server_user(
                [
                    f"{self.bin}/initdb",
                    "-D",
                    self.data,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
        self.serve(timeout)
        self.sql(f"CREATE DATABASE {TEMPLATE}")
        PostgresDatabase(self.url(TEMPLATE), pool_max=1).close()  # the bank's tables
        return self

    def serve(self, timeout: float = 60.0) -> None:
        """Start the server on the cluster made by ``start`` (again, after ``halt``)."""
        self.process = subprocess.Popen(
            _as_server_user(
                [
                    f"{self.bin}/postgres",
                    "-D",
                    self.data,
                    "-k",
                    self.dir,
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                    "-c",
                    "shared_buffers=32MB",
                ]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url(), connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start on port {self.port}") from None
                time.sleep(0.05)

    def sql(self, statement: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(statement.encode())

    def new_database(self) -> str:
        """A fresh database with the bank's tables, empty; its URL."""
        name = f"bank_{os.getpid()}_{next(_names)}"
        # FILE_COPY: a copy of the template's files and one checkpoint (nothing is fsynced here),
        # quicker than WAL_LOG's page-by-page copy on a busy machine.
        self.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
        return self.url(name)

    def empty(self, url: str) -> None:
        """Empty every table of the bank database at ``url``, its counters back at 1: as fresh
        as a new one, for the next randomized run (quicker than a new database each run)."""
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY".encode())

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def halt(self) -> None:
        """Stop the server, keeping its data (``serve`` starts it again): an outage."""
        if self.process is not None:
            # SIGINT: the fast shutdown (SIGTERM would wait for clients to leave).
            self.process.send_signal(2)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)
