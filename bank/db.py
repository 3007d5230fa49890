"""The demo bank's SQLite file: its schema, its connections and its write transactions.

Many threads (gunicorn threads, the test suite's pools) and several processes (web and worker
processes on one host) share one file, so: WAL journal mode (readers never block the writer), a
busy timeout (writers queue instead of failing), foreign keys on, one connection per thread *and*
per process id (a connection inherited through ``fork`` is never reused), and every write inside
``BEGIN IMMEDIATE`` so the write lock is taken before anything is read — a check-then-debit can
then never interleave with another writer, and SQLite's "deferred transaction cannot upgrade"
busy error cannot happen.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bank.errors import BankUnavailable
from bank.schema import ADDED_COLUMNS, SQLITE, TABLES, schema
from bank.sql import T

__all__ = ["TABLES", "Database", "stamp"]

# A queue of writers each holding the lock for milliseconds clears well within this; a lock held
# longer (a stuck process, a backup) is an outage: the writer gives up with BankUnavailable. It
# must end, with a Twilio call after it, before the webhook's per-customer lock (10 s) lapses.
BUSY_TIMEOUT_S = 4.0
# Connections inherited through fork(): SQLite forbids using them in the child, closing included
# (a close may checkpoint the parent's WAL), so they are kept referenced and never touched.
_INHERITED: list[sqlite3.Connection] = []


def stamp(moment: datetime) -> str:
    """An aware time as fixed-width UTC text, so SQL string comparison is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the bank only stores aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _add_missing_columns(db: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in have:
                db.execute(SQLITE.add_column.format(table=table, column=name, kind=kind))


def _busy_is_unavailable(execute: Callable[[str], object], sql: str) -> None:
    """Run ``sql``; SQLite's "database is locked" (SQLITE_BUSY after the busy timeout) becomes
    BankUnavailable, a "try again" for the caller; every other error stays what it is."""
    try:
        execute(sql)
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise BankUnavailable("the bank's database is busy") from exc
        raise


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "locked" in str(exc)


class Database:
    """Connections to one SQLite file: one per thread and process, opened on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.location = self.path  # what BANK_DATABASE said: the file's path
        self.dialect = SQLITE
        self._local = threading.local()
        with self.transaction() as db:
            # Idempotent; inside IMMEDIATE so two processes opening a new file don't race.
            for statement in schema(SQLITE):
                db.execute(statement)
            _add_missing_columns(db)

    def connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.pid != os.getpid():
            _INHERITED.append(db)
            db = None
        if db is None:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, nothing implicit.
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed if the block returns, rolled back if it raises.
        Raises BankUnavailable when the write lock stays taken past the busy timeout."""
        db = self.connection()
        _busy_is_unavailable(db.execute, "BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # some SQLite errors have already rolled back
                db.execute("ROLLBACK")
            raise
        try:
            _busy_is_unavailable(db.execute, "COMMIT")
        except BankUnavailable:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` inside one write transaction (``transaction``); its result. The same call as
        the PostgreSQL bank's, which may run ``work`` more than once (``bank.pg_db``)."""
        with self.transaction() as db:
            return work(db)

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` on this thread's connection in autocommit mode (each statement a snapshot)."""
        return work(self.connection())

    def run(self, sql: str, *args: object) -> None:
        """One statement in its own write transaction (set-up and repair, such as tests do)."""
        with self.transaction() as db:
            db.execute(sql, args)

    def rows(self, sql: str, *args: object) -> list[sqlite3.Row]:
        """A read in autocommit mode: one statement, one consistent snapshot. Readers don't wait
        for the writer (WAL), but a file another process holds in exclusive locking mode blocks
        them too: that is BankUnavailable as well."""
        db = self.connection()
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "locked" in str(
                exc
            ):
                raise BankUnavailable("the bank's database is busy") from exc
            raise

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
        self._local.db = None
