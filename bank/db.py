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

# A queue of writers each holding the lock for milliseconds clears well within this; a lock held
# longer (a stuck process, a backup) is an outage: the writer gives up with BankUnavailable. It
# must end, with a Twilio call after it, before the webhook's per-customer lock (10 s) lapses.
BUSY_TIMEOUT_S = 4.0
# Connections inherited through fork(): SQLite forbids using them in the child, closing included
# (a close may checkpoint the parent's WAL), so they are kept referenced and never touched.
_INHERITED: list[sqlite3.Connection] = []

# Money columns are integer cents. Accounts without a customer are the bank's own (settlement
# per other bank, opening-balance equity); only they may go below zero.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS other_banks (code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS billers (code TEXT PRIMARY KEY, name TEXT NOT NULL,
    reference_label TEXT NOT NULL, reference_pattern TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kyc_levels (level INTEGER PRIMARY KEY,
    per_transaction INTEGER NOT NULL, daily INTEGER NOT NULL, monthly INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS id_registry (national_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    dob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (customer_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    msisdn TEXT NOT NULL UNIQUE, email TEXT NOT NULL, dob TEXT NOT NULL,
    national_id TEXT NOT NULL UNIQUE, kyc_level INTEGER NOT NULL REFERENCES kyc_levels(level),
    chat_banking INTEGER NOT NULL DEFAULT 1, segment TEXT NOT NULL DEFAULT 'retail');
CREATE TABLE IF NOT EXISTS accounts (number TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers(customer_id), type TEXT NOT NULL,
    currency TEXT NOT NULL, balance INTEGER NOT NULL,
    CHECK (balance >= 0 OR customer_id IS NULL));
CREATE TABLE IF NOT EXISTS cards (card_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id), pan TEXT NOT NULL,
    status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payees (payee_id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id), name TEXT NOT NULL,
    bank_code TEXT NOT NULL, account_number TEXT NOT NULL);
-- A customer's accounts, cards and payees are read on almost every message (a transfer's
-- conversation reads the accounts several times a message): without these, each read scans
-- every customer's rows.
CREATE INDEX IF NOT EXISTS accounts_by_customer ON accounts (customer_id, number);
CREATE INDEX IF NOT EXISTS cards_by_customer ON cards (customer_id, card_id);
CREATE INDEX IF NOT EXISTS payees_by_customer ON payees (customer_id, payee_id);
CREATE TABLE IF NOT EXISTS ledger (txn_id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_number TEXT NOT NULL REFERENCES accounts(number), amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL, description TEXT NOT NULL, counterparty TEXT NOT NULL,
    reference TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_account ON ledger (account_number, txn_id);
CREATE INDEX IF NOT EXISTS ledger_by_time ON ledger (account_number, created_at);
CREATE INDEX IF NOT EXISTS ledger_by_reference ON ledger (reference);
CREATE TABLE IF NOT EXISTS transfers (transfer_id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE, reference TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL, from_account TEXT NOT NULL, to_account TEXT NOT NULL,
    to_bank_code TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL,
    txn_id INTEGER NOT NULL REFERENCES ledger(txn_id), created_at TEXT NOT NULL);
-- The KYC limits sum a customer's transfers since the start of the day and of the month, inside
-- every transfer's write lock: without this index each sum scans every customer's transfers.
CREATE INDEX IF NOT EXISTS transfers_by_customer ON transfers (customer_id, created_at);
-- Money sent to a mobile number without a wallet, held until claimed or refunded at expiry.
CREATE TABLE IF NOT EXISTS p2p_claims (claim_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL, from_account TEXT NOT NULL, msisdn TEXT NOT NULL,
    amount INTEGER NOT NULL, reference TEXT NOT NULL, status TEXT NOT NULL,
    token_digest TEXT NOT NULL DEFAULT '', expires_at TEXT NOT NULL, created_at TEXT NOT NULL,
    settled_reference TEXT NOT NULL DEFAULT '', settled_at TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS p2p_claims_pending ON p2p_claims (status, expires_at);
-- How each wallet opened from the chat began: the version of the bank's terms its owner accepted.
CREATE TABLE IF NOT EXISTS wallet_openings (customer_id TEXT PRIMARY KEY
    REFERENCES customers(customer_id), terms_version TEXT NOT NULL, opened_at TEXT NOT NULL);
-- A card's PIN, only as the hash the secure page made (never the digits).
CREATE TABLE IF NOT EXISTS card_pins (card_id TEXT PRIMARY KEY REFERENCES cards(card_id),
    pin_hash TEXT NOT NULL, changed_at TEXT NOT NULL);
"""
# Children before parents, so DELETE never trips a foreign key.
TABLES = (
    "wallet_openings",
    "card_pins",
    "p2p_claims",
    "transfers",
    "ledger",
    "payees",
    "cards",
    "accounts",
    "customers",
    "id_registry",
    "kyc_levels",
    "billers",
    "other_banks",
    "meta",
)


def stamp(moment: datetime) -> str:
    """An aware time as fixed-width UTC text, so SQL string comparison is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the bank only stores aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# Columns added after a table first shipped: a file made before them gets them with their default.
ADDED_COLUMNS = {"customers": {"segment": "TEXT NOT NULL DEFAULT 'retail'"}}


def _add_missing_columns(db: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


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
        self._local = threading.local()
        with self.transaction() as db:
            # Idempotent; inside IMMEDIATE so two processes opening a new file don't race.
            for statement in SCHEMA.split(";"):
                if statement.strip():
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
