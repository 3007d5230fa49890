"""The demo bank on PostgreSQL: a connection pool, write transactions that behave like SQLite's
single writer, and PostgreSQL's failures turned into the port's ``BankUnavailable``.

Why SERIALIZABLE with retry, not row locks: every write of the bank (a transfer and its KYC
sums, a hold and its claim, a wallet opening and its duplicate checks, a KYC level checked
against its neighbours, a seed load checked against an empty bank) was written as "read, check,
then write" inside SQLite's ``BEGIN IMMEDIATE``, where nothing else writes meanwhile. Under
SERIALIZABLE, PostgreSQL guarantees the same outcome as running the transactions one at a time,
for all of them at once, with the same SQL; when two transactions would break that, one fails
with a serialization failure and is simply run again (it wrote nothing). Row locks
(``SELECT … FOR UPDATE`` in a fixed order) would need each of those paths to know every row
and every range it depends on before reading — the sum of today's transfers is a range, not a
row — and a missed one is a silent overdraft; a missed retry is only a "try again".

First attempts run side by side (writes for different customers don't wait for each other); a
retry runs alone, the others queued behind it (``_attempt``), so it can't lose again and a hot
account's racing writers end up taking turns as SQLite's do. Retries run for at most
``BUSY_TIMEOUT_S``, SQLite's busy timeout; past that the caller gets ``BankUnavailable``, as
SQLite's writer does when the lock stays taken. A pool that can't hand out a connection in time,
a server that is down or restarting, a statement that waited too long for a lock, a connection
lost mid-way: the same ``BankUnavailable``, and the request may be tried again. (Only a
connection lost during COMMIT leaves it unknown whether the transaction committed; a transfer
tried again then replays by its idempotency key rather than moving the money twice.)

SQL arrives written for SQLite's ``?`` placeholders (``bank.sql``); ``pg_sql`` turns them into
psycopg's ``%s`` (cached). The pool is per process: a process forked from one that had a pool
(an RQ job's work horse) opens its own and never touches the parent's connections.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache, partial
from typing import Any

import psycopg
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from bank.db import BUSY_TIMEOUT_S
from bank.errors import BankUnavailable
from bank.schema import ADDED_COLUMNS, POSTGRESQL, schema
from bank.sql import Cursor, T

log = logging.getLogger(__name__)

# Enough for a web process's threads (gunicorn's default is 1-4) and a test's 20 racing threads
# to wait their turn well inside the busy timeout; a pool per process, so the server sees
# processes x POOL_MAX connections at most (its default max_connections is 100).
POOL_MIN, POOL_MAX = 1, 10
# Advisory lock numbers, the same in every process: schema creation takes one, retries the other.
SCHEMA_LOCK, RETRY_LOCK = 7_311_001, 7_311_002
_RETRY = (errors.SerializationFailure, errors.DeadlockDetected)
# Down, restarting, unreachable, out of connections, or a statement that waited too long.
_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
# Pools inherited through fork(): their sockets are the parent's, so the child never uses them.
_INHERITED: list[ConnectionPool[Any]] = []
# Every database object of this process, so ``close_all`` can close their pools.
_OPEN: weakref.WeakSet[PostgresDatabase] = weakref.WeakSet()


@lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """``sql`` with ``?`` placeholders as psycopg's ``%s``, and ``%`` doubled (psycopg reads
    ``%`` as its own marker). A ``?`` inside a quoted string is left alone."""
    out: list[str] = []
    quoted = False
    index = 0
    while index < len(sql):
        char = sql[index]
        if char == "-" and not quoted and sql.startswith("--", index):
            index = sql.find("\n", index)  # a comment (the schema's) may hold an apostrophe
            if index < 0:
                break
            continue
        if char == "'":
            quoted = not quoted
        out.append("%%" if char == "%" else "%s" if char == "?" and not quoted else char)
        index += 1
    return "".join(out)


class PgConnection:
    """A psycopg connection that speaks ``bank.sql.Connection``: the shared SQL runs unchanged."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection
        self.answered = 0  # statements the server answered (see PostgresDatabase._use)
        self.committing = False

    @property
    def in_transaction(self) -> bool:
        return self._connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        cursor = self._connection.execute(pg_sql(sql), tuple(parameters))
        self.answered += 1
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor:
        cursor = self._connection.cursor()
        cursor.executemany(pg_sql(sql), [tuple(p) for p in parameters])
        self.answered += 1
        return cursor


def readable(url: str) -> bool:
    """libpq can read ``url`` (nothing is connected to)."""
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return False
    return True


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unreadable URL)"
    host, port, name = parts.get("host", ""), parts.get("port", ""), parts.get("dbname", "")
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}{':' + str(port) if port else ''}/{name}"


class PostgresDatabase:
    """The bank's PostgreSQL database: ``write``, ``read``, ``rows``, like ``bank.db.Database``."""

    def __init__(self, url: str, pool_max: int = POOL_MAX) -> None:
        self.location = url
        self.dialect = POSTGRESQL
        self.pool_max = pool_max
        self._pid = 0
        self._pool_now: ConnectionPool[Any] | None = None
        self._lock = threading.Lock()
        self._in_use = 0  # connections this process has out of its pool now
        _OPEN.add(self)
        self.write(_create_schema)

    def _pool(self) -> ConnectionPool[Any]:
        if self._pool_now is not None and self._pid != os.getpid():
            _INHERITED.append(self._pool_now)
            self._pool_now, self._lock, self._in_use = None, threading.Lock(), 0
        pool = self._pool_now
        if pool is not None:
            return pool
        with self._lock:  # two threads' first calls make one pool
            if self._pool_now is None:
                self._pool_now, self._pid = self._new_pool(), os.getpid()
            return self._pool_now

    def _new_pool(self) -> ConnectionPool[Any]:
        pool: ConnectionPool[Any] = ConnectionPool(
            self.location,
            min_size=POOL_MIN,
            max_size=self.pool_max,
            timeout=BUSY_TIMEOUT_S,
            configure=_serializable,
            kwargs={
                "autocommit": True,  # reads: one statement, one snapshot; writes: BEGIN below
                "row_factory": dict_row,
                "connect_timeout": max(1, int(BUSY_TIMEOUT_S)),
                # A statement stuck behind a lock (a backup, a stuck session) gives up in
                # time for a "try again" before the webhook's per-customer lock lapses.
                "options": f"-c lock_timeout={int(BUSY_TIMEOUT_S * 1000)}",
            },
            open=False,
            name="teller-bank",
        )
        pool.open(wait=False)
        return pool

    def _forget(self, pool: ConnectionPool[Any]) -> None:
        """After a pool waited the whole busy timeout without a connection while none of its
        connections was in use, it couldn't reach the server: it is replaced, so the next call
        connects at once. (Its own reconnection backs off — 1 s, 2 s, 4 s … — and would keep
        customers waiting that long after the server is back.) A pool with connections out is
        only busy, and is kept."""
        with self._lock:
            if self._pool_now is not pool or self._in_use:
                return
            self._pool_now = None
        pool.close(timeout=0)

    @contextmanager
    def _checkout(self) -> Iterator[psycopg.Connection[Any]]:
        pool = self._pool()
        try:
            with pool.connection() as connection:
                with self._lock:
                    self._in_use += 1
                try:
                    yield connection
                finally:
                    with self._lock:
                        self._in_use -= 1
        except _RETRY:
            raise  # not an outage: ``write`` runs the transaction again
        except _UNAVAILABLE as exc:
            log.warning("bank: PostgreSQL unavailable (%s)", type(exc).__name__)
            if isinstance(exc, PoolTimeout):
                self._forget(pool)
            raise BankUnavailable("the bank's database is unavailable") from exc

    def _use(self, use: Callable[[psycopg.Connection[Any], PgConnection], T]) -> T:
        """``use`` on a pooled connection. A connection the server dropped while it sat in the
        pool (a restart, an idle timeout) fails at its first statement: then, and only then —
        nothing reached the server, so nothing can have happened twice — once more on a new
        one. (Checking every connection before handing it out would cost a round trip on every
        read and write.)"""
        for last in (False, True):
            with self._checkout() as connection:
                db = PgConnection(connection)
                try:
                    return use(connection, db)
                except psycopg.OperationalError:
                    if last or not connection.broken or db.answered or db.committing:
                        raise
            log.info("bank: a pooled PostgreSQL connection had been dropped; using a new one")
        raise AssertionError("unreachable")  # the second pass returns or raises

    def write(self, work: Callable[[PgConnection], T]) -> T:
        """``work`` inside one SERIALIZABLE transaction: committed if it returns, rolled back if
        it raises. ``work`` may run several times (after a serialization failure, when it wrote
        nothing), so it must do nothing but SQL on the connection it is given."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        retrying = False
        while True:
            try:
                return self._use(partial(_attempt, work=work, retrying=retrying))
            except _RETRY as exc:
                failure: Exception = exc
            if time.monotonic() > deadline:
                raise BankUnavailable("the bank's database is busy") from failure
            retrying = True

    def read(self, work: Callable[[PgConnection], T]) -> T:
        """``work`` on a pooled connection in autocommit mode (each statement a snapshot)."""
        return self._use(lambda _, db: work(db))

    def run(self, sql: str, *args: object) -> None:
        """One statement in its own write transaction (set-up and repair, such as tests do)."""
        self.write(lambda db: db.execute(sql, args))

    def rows(self, sql: str, *args: object) -> list[Any]:
        """A read in autocommit mode: one statement, one consistent snapshot."""
        return self.read(lambda db: db.execute(sql, args).fetchall())

    def close(self) -> None:
        """Close this process's pool (a forked child leaves its parent's alone)."""
        if self._pool_now is not None and self._pid == os.getpid():
            self._pool_now.close()
        self._pool_now = None


def _attempt(
    connection: psycopg.Connection[Any],
    db: PgConnection,
    work: Callable[[PgConnection], T],
    retrying: bool,
) -> T:
    """One try of ``work``. Every first try shares RETRY_LOCK (a shared lock never waits for
    another shared one, so first tries run side by side); a retry takes it alone, as a session
    lock taken *before* BEGIN so its snapshot is the one after the wait. A retry then runs with
    no other writer at all — first tries that come meanwhile queue behind it — and can't lose
    again: a hot account's racing writers fail at most once each, then take turns."""
    if retrying:
        db.execute("SELECT pg_advisory_lock(?)", (RETRY_LOCK,))
    try:
        with connection.transaction():
            if not retrying:
                db.execute("SELECT pg_advisory_xact_lock_shared(?)", (RETRY_LOCK,))
            result = work(db)
            db.committing = True  # from here a lost connection may or may not have committed
        return result
    finally:
        if retrying and not connection.broken:
            connection.execute("SELECT pg_advisory_unlock(%s)", (RETRY_LOCK,))


def close_all(location: str) -> None:
    """Close the pools of every database object of this process on ``location`` (before the
    database is dropped, say)."""
    for database in list(_OPEN):
        if database.location == location:
            database.close()


def _serializable(connection: psycopg.Connection[Any]) -> None:
    """Every transaction the pool's connections open (``write``) is SERIALIZABLE."""
    connection.isolation_level = psycopg.IsolationLevel.SERIALIZABLE


def _create_schema(db: PgConnection) -> None:
    # Two processes starting on a new database would race on CREATE TABLE IF NOT EXISTS (it is
    # not atomic against itself): the first takes this lock, the second then finds the tables.
    db.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
    for statement in schema(POSTGRESQL):
        db.execute(statement)
    for table, columns in ADDED_COLUMNS.items():
        for name, kind in columns.items():
            db.execute(POSTGRESQL.add_column.format(table=table, column=name, kind=kind))
