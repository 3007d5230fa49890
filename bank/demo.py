"""The embedded demo bank: the CoreBanking port on SQLite (stdlib), safe across threads and
processes sharing one file.

Money is stored as integer cents so sums are exact, and moves only inside one
``BEGIN IMMEDIATE`` transaction with a unique idempotency key: a double-entry ledger where a
transfer to another bank credits that bank's settlement account, so the bank's total never
changes through a transfer.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
import string
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bank.ports import (
    Account,
    AccountNotOwned,
    BankProfile,
    Biller,
    Card,
    Customer,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    KycLevel,
    OtherBank,
    Payee,
    Transaction,
    TransferRequest,
    TransferResult,
    UnknownAccount,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS other_banks (code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS billers (code TEXT PRIMARY KEY, name TEXT NOT NULL,
    reference_label TEXT NOT NULL, reference_pattern TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kyc_levels (level INTEGER PRIMARY KEY, per_transaction INTEGER NOT NULL,
    daily INTEGER NOT NULL, monthly INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS id_registry (national_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    dob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (customer_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    msisdn TEXT NOT NULL UNIQUE, email TEXT NOT NULL, dob TEXT NOT NULL,
    national_id TEXT NOT NULL, kyc_level INTEGER NOT NULL REFERENCES kyc_levels(level),
    chat_banking INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS accounts (number TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers(customer_id), type TEXT NOT NULL,
    currency TEXT NOT NULL, balance INTEGER NOT NULL CHECK (balance >= 0 OR customer_id IS NULL));
CREATE TABLE IF NOT EXISTS cards (card_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id), pan TEXT NOT NULL,
    status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payees (payee_id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id), name TEXT NOT NULL,
    bank_code TEXT NOT NULL, account_number TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transfers (idempotency_key TEXT PRIMARY KEY, reference TEXT NOT NULL
    UNIQUE, customer_id TEXT NOT NULL, from_account TEXT NOT NULL, to_account TEXT NOT NULL,
    to_bank_code TEXT NOT NULL, amount INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_number TEXT NOT NULL REFERENCES accounts(number), amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL, description TEXT NOT NULL, counterparty TEXT NOT NULL,
    reference TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_account ON ledger (account_number, id);
"""
TABLES = (
    "ledger",
    "transfers",
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
_REF_ALPHABET = string.ascii_uppercase + string.digits


def to_cents(amount: Decimal) -> int:
    if amount <= 0 or amount.as_tuple().exponent < -2 or not amount.is_finite():  # type: ignore[operator]
        raise InvalidAmount(amount)
    return int(amount * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def settlement_account(bank_code: str) -> str:
    return f"SETTLE-{bank_code}"


class SqliteBank:
    """CoreBanking on one SQLite file in WAL mode; one connection per thread."""

    def __init__(self, path: str | Path, clock: Callable[[], datetime] | None = None) -> None:
        self.path = str(path)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._local = threading.local()
        self._db().executescript(SCHEMA)  # idempotent; executescript manages its own commit

    # connections and transactions -------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock first, so check-then-debit
        cannot interleave with another writer (thread or process)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self._db().execute(sql, args))

    # reads -----------------------------------------------------------------------------
    def ping(self) -> None:
        self._db().execute("SELECT 1").fetchone()

    def is_empty(self) -> bool:
        return not self._rows("SELECT 1 FROM meta WHERE key = 'name'")

    def profile(self) -> BankProfile:
        meta = {r["key"]: r["value"] for r in self._rows("SELECT key, value FROM meta")}
        return BankProfile(
            meta.get("name", "Demo Bank"), meta.get("currency", "USD"), meta.get("code", "000")
        )

    def _customer(self, row: sqlite3.Row | None) -> Customer | None:
        if row is None:
            return None
        return Customer(
            row["customer_id"], row["name"], row["msisdn"], row["email"], row["kyc_level"]
        )

    def customer_by_msisdn(self, msisdn: str) -> Customer | None:
        """Only customers registered for chat banking: the chat's directory."""
        rows = self._rows("SELECT * FROM customers WHERE msisdn = ? AND chat_banking = 1", msisdn)
        return self._customer(rows[0] if rows else None)

    def customer(self, customer_id: str) -> Customer | None:
        rows = self._rows("SELECT * FROM customers WHERE customer_id = ?", customer_id)
        return self._customer(rows[0] if rows else None)

    def list_customers(self) -> list[Customer]:
        rows = self._rows("SELECT * FROM customers ORDER BY customer_id")
        return [c for c in map(self._customer, rows) if c is not None]

    def verify_personal_details(self, customer_id: str, dob: date, national_id_last4: str) -> bool:
        rows = self._rows(
            "SELECT dob, national_id FROM customers WHERE customer_id = ?", customer_id
        )
        stored = f"{rows[0]['dob']}|{rows[0]['national_id'][-4:]}" if rows else "|"
        # Compared in constant time, and compared even when the customer is unknown.
        return hmac.compare_digest(stored, f"{dob.isoformat()}|{national_id_last4}") and bool(rows)

    def accounts(self, customer_id: str) -> list[Account]:
        rows = self._rows(
            "SELECT * FROM accounts WHERE customer_id = ? ORDER BY number", customer_id
        )
        return [
            Account(
                r["number"], r["customer_id"], r["type"], r["currency"], from_cents(r["balance"])
            )
            for r in rows
        ]

    def cards(self, customer_id: str) -> list[Card]:
        rows = self._rows("SELECT * FROM cards WHERE customer_id = ? ORDER BY card_id", customer_id)
        return [Card(r["card_id"], r["customer_id"], r["pan"], r["status"]) for r in rows]

    def payees(self, customer_id: str) -> list[Payee]:
        rows = self._rows(
            "SELECT * FROM payees WHERE customer_id = ? ORDER BY payee_id", customer_id
        )
        return [
            Payee(r["payee_id"], r["customer_id"], r["name"], r["bank_code"], r["account_number"])
            for r in rows
        ]

    def billers(self) -> list[Biller]:
        return [
            Biller(r["code"], r["name"], r["reference_label"], r["reference_pattern"])
            for r in self._rows("SELECT * FROM billers ORDER BY code")
        ]

    def other_banks(self) -> list[OtherBank]:
        return [
            OtherBank(r["code"], r["name"])
            for r in self._rows("SELECT * FROM other_banks ORDER BY name")
        ]

    def kyc_levels(self) -> list[KycLevel]:
        return [
            KycLevel(
                r["level"],
                from_cents(r["per_transaction"]),
                from_cents(r["daily"]),
                from_cents(r["monthly"]),
            )
            for r in self._rows("SELECT * FROM kyc_levels ORDER BY level")
        ]

    def mini_statement(self, account_number: str, limit: int = 5) -> list[Transaction]:
        rows = self._rows(
            "SELECT * FROM ledger WHERE account_number = ? ORDER BY id DESC LIMIT ?",
            account_number,
            limit,
        )
        return [
            Transaction(
                r["id"],
                r["account_number"],
                from_cents(r["amount"]),
                from_cents(r["balance_after"]),
                r["description"],
                r["counterparty"],
                datetime.fromisoformat(r["created_at"]),
                r["reference"],
            )
            for r in rows
        ]

    def total_balance(self) -> Decimal:
        """Every account's balance summed, settlement accounts included (an invariant)."""
        return from_cents(self._rows("SELECT COALESCE(SUM(balance), 0) AS s FROM accounts")[0]["s"])

    # money -----------------------------------------------------------------------------
    def transfer(self, request: TransferRequest) -> TransferResult:
        """Move money atomically; a repeated key returns the first result (``replayed``)."""
        cents = to_cents(request.amount)
        with self._tx() as db:
            seen = db.execute(
                "SELECT * FROM transfers WHERE idempotency_key = ?", (request.idempotency_key,)
            ).fetchone()
            if seen is not None:
                return self._replay(seen, request, cents)
            source = db.execute(
                "SELECT * FROM accounts WHERE number = ?", (request.from_account,)
            ).fetchone()
            if source is None:
                raise UnknownAccount(request.from_account)
            if source["customer_id"] != request.customer_id:
                raise AccountNotOwned(request.from_account)
            own_code = self.profile().code
            credit = request.to_account
            if request.to_bank_code != own_code:
                credit = settlement_account(request.to_bank_code)
                db.execute(
                    "INSERT OR IGNORE INTO accounts (number, customer_id, type, currency, "
                    "balance) VALUES (?, NULL, 'settlement', ?, 0)",
                    (credit, source["currency"]),
                )
            elif (
                credit == request.from_account
                or db.execute(
                    "SELECT 1 FROM accounts WHERE number = ? AND customer_id IS NOT NULL", (credit,)
                ).fetchone()
                is None
            ):
                raise UnknownAccount(request.to_account)
            debited = db.execute(
                "UPDATE accounts SET balance = balance - ? WHERE number = ? AND balance >= ?",
                (cents, request.from_account, cents),
            )
            if debited.rowcount != 1:
                raise InsufficientFunds(from_cents(source["balance"]))
            db.execute(
                "UPDATE accounts SET balance = balance + ? WHERE number = ?", (cents, credit)
            )
            reference = "TX" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))
            now = self.clock().isoformat()
            db.execute(
                "INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.idempotency_key,
                    reference,
                    request.customer_id,
                    request.from_account,
                    request.to_account,
                    request.to_bank_code,
                    cents,
                    now,
                ),
            )
            narration = request.narration or "Transfer"
            for account, amount, party in (
                (request.from_account, -cents, request.to_account),
                (credit, cents, request.from_account),
            ):
                balance = db.execute(
                    "SELECT balance FROM accounts WHERE number = ?", (account,)
                ).fetchone()["balance"]
                db.execute(
                    "INSERT INTO ledger (account_number, amount, balance_after, description,"
                    " counterparty, reference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (account, amount, balance, narration, party, reference, now),
                )
        return TransferResult(
            reference,
            request.from_account,
            request.to_account,
            from_cents(cents),
            "completed",
            datetime.fromisoformat(now),
        )

    def _replay(self, seen: sqlite3.Row, request: TransferRequest, cents: int) -> TransferResult:
        facts = (seen["from_account"], seen["to_account"], seen["to_bank_code"], seen["amount"])
        if facts != (request.from_account, request.to_account, request.to_bank_code, cents):
            raise IdempotencyConflict(request.idempotency_key)
        return TransferResult(
            seen["reference"],
            seen["from_account"],
            seen["to_account"],
            from_cents(seen["amount"]),
            "completed",
            datetime.fromisoformat(seen["created_at"]),
            replayed=True,
        )

    # loading ---------------------------------------------------------------------------
    @contextmanager
    def loading(self, replace: bool) -> Iterator[sqlite3.Connection]:
        """A transaction for the seed loader: all rows or none; ``replace`` wipes first."""
        with self._tx() as db:
            if replace:
                for table in TABLES:
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            yield db
