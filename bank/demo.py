"""The demo bank: the ``CoreBanking`` port on SQL, embedded on one SQLite file (the default,
stdlib only) or on a PostgreSQL database that several hosts share.

It is what ``make run`` and the test suite bank with, and the reference for what a real core
adapter must do: reads return frozen port objects with ``Decimal`` amounts converted from the
whole cents stored; money moves only in ``transfer``, inside one write transaction keyed by a
unique idempotency key (``bank.ledger``); the seed loader inserts a whole seed in one
transaction too (``load_seed``). The SQL and the rules are one copy for both engines; what
differs — connections, how a write transaction keeps out other writers, failures that mean
"try again" — is the database object's (``bank.db`` for SQLite, ``bank.pg_db`` for PostgreSQL).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bank.cards import change_card
from bank.db import TABLES, Database, stamp
from bank.kyc import put_level, read_levels, set_customer_level
from bank.ledger import EQUITY_ACCOUNT, Guard, execute_transfer, ledger_problems
from bank.limits import limit_status
from bank.money import from_cents
from bank.p2p import by_token, claim_into, get_claim, record_claim, refund
from bank.ports import (
    P2P_HOLD_CODE,
    Account,
    BankError,
    BankProfile,
    Biller,
    Card,
    CardRefused,
    Claim,
    Customer,
    KycLevel,
    LimitStatus,
    OtherBank,
    Payee,
    Transaction,
    TransferRecord,
    TransferRequest,
    TransferResult,
)
from bank.rows import TRANSFER_SQL, customer_from, profile_from, transaction_from, transfer_from
from bank.seed_sql import insert_seed
from bank.sql import BankDatabase, Connection, Row
from bank.wallet_types import OpenedWallet, Taken, WalletOpening
from bank.wallets import open_wallet, taken, terms_version


def utc_now() -> datetime:
    return datetime.now(UTC)


class BankNotEmpty(BankError):
    """``load_seed`` without ``replace`` on a bank that already holds data."""

    def __init__(self) -> None:
        super().__init__("the bank already holds data")


def _own_code(db: Connection) -> str:
    code = db.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
    return str(code["value"]) if code else ""


class SqlBank:
    """CoreBanking on a SQL database. ``guards`` run inside each transfer's transaction (KYC
    limits). ``location`` is what ``BANK_DATABASE`` said (a path or a URL)."""

    def __init__(
        self,
        db: BankDatabase,
        clock: Callable[[], datetime] = utc_now,
        guards: Sequence[Guard] = (),
    ) -> None:
        self.db = db
        self.location = db.location
        self.clock = clock
        self.guards = list(guards)

    def close(self) -> None:
        self.db.close()

    # the directory and reference data ---------------------------------------------------
    def ping(self) -> None:
        self.db.rows("SELECT 1")

    def is_empty(self) -> bool:
        return not self.db.rows("SELECT 1 FROM meta LIMIT 1")

    def profile(self) -> BankProfile:
        return profile_from(self.db.rows("SELECT key, value FROM meta"))

    def customer_by_msisdn(self, msisdn: str) -> Customer | None:
        """Only customers registered for chat banking: the chat's directory."""
        rows = self.db.rows("SELECT * FROM customers WHERE msisdn = ? AND chat_banking = 1", msisdn)
        return customer_from(rows[0]) if rows else None

    def customer(self, customer_id: str) -> Customer | None:
        rows = self.db.rows("SELECT * FROM customers WHERE customer_id = ?", customer_id)
        return customer_from(rows[0]) if rows else None

    def list_customers(self) -> list[Customer]:
        rows = self.db.rows("SELECT * FROM customers ORDER BY customer_id")
        return [customer_from(r) for r in rows]

    def verify_personal_details(self, customer_id: str, dob: date, national_id_last4: str) -> bool:
        """Fails closed: False for an unknown customer, compared in constant time even then."""
        rows = self.db.rows(
            "SELECT dob, national_id FROM customers WHERE customer_id = ?", customer_id
        )
        # An unknown customer still costs one comparison, against a value nothing can match.
        stored = f"{rows[0]['dob']}|{rows[0]['national_id'][-4:]}" if rows else "\x00"
        given = f"{dob.isoformat()}|{national_id_last4}"
        return hmac.compare_digest(stored.encode(), given.encode()) and bool(rows)

    def accounts(self, customer_id: str) -> list[Account]:
        rows = self.db.rows(
            "SELECT * FROM accounts WHERE customer_id = ? ORDER BY number", customer_id
        )
        return [
            Account(
                r["number"], r["customer_id"], r["type"], r["currency"], from_cents(r["balance"])
            )
            for r in rows
        ]

    def cards(self, customer_id: str) -> list[Card]:
        rows = self.db.rows(
            "SELECT * FROM cards WHERE customer_id = ? ORDER BY card_id", customer_id
        )
        return [Card(r["card_id"], r["customer_id"], r["pan"], r["status"]) for r in rows]

    def payees(self, customer_id: str) -> list[Payee]:
        rows = self.db.rows(
            "SELECT * FROM payees WHERE customer_id = ? ORDER BY payee_id", customer_id
        )
        return [
            Payee(r["payee_id"], r["customer_id"], r["name"], r["bank_code"], r["account_number"])
            for r in rows
        ]

    def wallet_of(self, msisdn: str) -> Account | None:
        rows = self.db.rows(
            "SELECT a.* FROM accounts a JOIN customers c ON c.customer_id = a.customer_id"
            " WHERE c.msisdn = ? AND a.type = 'wallet' ORDER BY a.number LIMIT 1",
            msisdn,
        )
        if not rows:
            return None
        r = rows[0]
        return Account(
            r["number"], r["customer_id"], r["type"], r["currency"], from_cents(r["balance"])
        )

    def hold_for_mobile(
        self, req: TransferRequest, msisdn: str, expires_at: datetime
    ) -> tuple[TransferResult, Claim]:
        """Debit the sender into the holding account and record the claim, atomically."""
        held = replace(req, to_account=msisdn, to_bank_code=P2P_HOLD_CODE)
        now = self.clock()

        def hold(db: Connection) -> tuple[TransferResult, Claim]:
            result = execute_transfer(db, held, _own_code(db), now, self.guards)
            return result, record_claim(db, result, req.customer_id, msisdn, expires_at)

        return self.db.write(hold)

    def claim(self, claim_id: str) -> Claim | None:
        return self.db.read(lambda db: get_claim(db, claim_id))

    def claim_by_token(self, digest: str) -> Claim | None:
        return self.db.read(lambda db: by_token(db, digest))

    def set_claim_token(self, claim_id: str, digest: str) -> None:
        self.db.run("UPDATE p2p_claims SET token_digest = ? WHERE claim_id = ?", digest, claim_id)

    def claim_into_wallet(self, claim_id: str, wallet: str) -> Claim:
        now = self.clock()
        return self.db.write(lambda db: claim_into(db, claim_id, wallet, now))

    def wallet_taken(self, msisdn: str, national_id: str) -> Taken | None:
        return self.db.read(lambda db: taken(db, msisdn, national_id))

    def open_wallet(self, opening: WalletOpening) -> OpenedWallet:
        """The customer, their wallet and the claims paid in: one transaction (``bank.wallets``)."""
        now = self.clock()
        return self.db.write(lambda db: open_wallet(db, opening, now))

    def terms_accepted(self, customer_id: str) -> str | None:
        return self.db.read(lambda db: terms_version(db, customer_id))

    def national_id_record(self, national_id: str) -> tuple[str, date] | None:
        """The demo national ID registry's record (``bank.national_id.RegistryVerifier``)."""
        rows = self.db.rows("SELECT name, dob FROM id_registry WHERE national_id = ?", national_id)
        return (str(rows[0]["name"]), date.fromisoformat(rows[0]["dob"])) if rows else None

    def refund_claim(self, claim_id: str) -> Claim | None:
        now = self.clock()
        return self.db.write(lambda db: refund(db, claim_id, now))

    def expired_claims(self) -> list[str]:
        rows = self.db.rows(
            "SELECT claim_id FROM p2p_claims WHERE status = 'pending' AND expires_at <= ?",
            stamp(self.clock()),
        )
        return [r["claim_id"] for r in rows]

    def update_email(self, customer_id: str, email: str) -> None:
        self.db.run("UPDATE customers SET email = ? WHERE customer_id = ?", email, customer_id)

    def change_card(self, customer_id: str, card_id: str, action: str) -> tuple[Card, Card | None]:
        return self.db.write(lambda db: change_card(db, customer_id, card_id, action))

    def set_card_pin(self, customer_id: str, card_id: str, pin_hash: str) -> None:
        """Store a new card PIN (its hash) for the customer's active card; CardRefused else."""
        changed_at = stamp(self.clock())

        def store(db: Connection) -> None:
            row = db.execute(
                "SELECT status FROM cards WHERE card_id = ? AND customer_id = ?",
                (card_id, customer_id),
            ).fetchone()
            if row is None or row["status"] != "active":
                raise CardRefused(card_id, row["status"] if row else "unknown")
            db.execute(
                "INSERT INTO card_pins (card_id, pin_hash, changed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (card_id) DO UPDATE SET pin_hash = excluded.pin_hash,"
                " changed_at = excluded.changed_at",
                (card_id, pin_hash, changed_at),
            )

        self.db.write(store)

    def account_name(self, bank_code: str, number: str) -> str | None:
        """Name enquiry. Here: the holder of an account of this bank. Another bank's accounts
        are known to the demo only as payees someone saved (a real adapter asks the switch)."""
        own = self.profile().code
        if bank_code == own:
            rows = self.db.rows(
                "SELECT c.name FROM accounts a JOIN customers c ON c.customer_id = a.customer_id"
                " WHERE a.number = ?",
                number,
            )
        else:
            rows = self.db.rows(
                "SELECT name FROM payees WHERE bank_code = ? AND account_number = ?"
                " ORDER BY payee_id LIMIT 1",
                bank_code,
                number,
            )
        return str(rows[0]["name"]) if rows else None

    def add_payee(self, customer_id: str, name: str, bank_code: str, number: str) -> Payee:
        """Save a payee (once: saving the same account again returns the one saved)."""

        def save(db: Connection) -> Row:
            row = db.execute(
                "SELECT * FROM payees WHERE customer_id = ? AND bank_code = ?"
                " AND account_number = ?",
                (customer_id, bank_code, number),
            ).fetchone()
            if row is None:
                row = db.execute(
                    "INSERT INTO payees (customer_id, name, bank_code, account_number)"
                    " VALUES (?, ?, ?, ?) RETURNING *",
                    (customer_id, name, bank_code, number),
                ).fetchone()
            return row

        row = self.db.write(save)
        return Payee(
            row["payee_id"],
            row["customer_id"],
            row["name"],
            row["bank_code"],
            row["account_number"],
        )

    def billers(self) -> list[Biller]:
        rows = self.db.rows("SELECT * FROM billers ORDER BY code")
        return [
            Biller(r["code"], r["name"], r["reference_label"], r["reference_pattern"]) for r in rows
        ]

    def other_banks(self) -> list[OtherBank]:
        rows = self.db.rows("SELECT * FROM other_banks ORDER BY name")
        return [OtherBank(r["code"], r["name"]) for r in rows]

    def kyc_levels(self) -> list[KycLevel]:
        return self.db.read(read_levels)

    def set_kyc_level(self, level: KycLevel) -> None:
        """Replace or add a level (``bank.kyc`` rules); KycRefused changes nothing."""
        self.db.write(lambda db: put_level(db, level))

    def set_customer_kyc_level(self, customer_id: str, level: int) -> None:
        self.db.write(lambda db: set_customer_level(db, customer_id, level))

    # statements ------------------------------------------------------------------------
    def mini_statement(self, account_number: str, limit: int = 5) -> list[Transaction]:
        """Newest first, by recording order (a frozen test clock cannot reorder it)."""
        rows = self.db.rows(
            "SELECT * FROM ledger WHERE account_number = ? ORDER BY txn_id DESC LIMIT ?",
            account_number,
            max(0, limit),
        )
        return [transaction_from(r) for r in rows]

    def transactions(
        self, account_number: str, since: datetime, until: datetime
    ) -> list[Transaction]:
        """``since <= created_at < until``, oldest first; naive times raise ValueError."""
        rows = self.db.rows(
            "SELECT * FROM ledger WHERE account_number = ? AND created_at >= ? AND created_at < ?"
            " ORDER BY created_at, txn_id",
            account_number,
            stamp(since),
            stamp(until),
        )
        return [transaction_from(r) for r in rows]

    # money -----------------------------------------------------------------------------
    def limits(self, customer_id: str, daily_cap: Decimal | None = None) -> LimitStatus:
        """The customer's KYC limits now and what they used today and this month."""
        now = self.clock()
        return self.db.read(lambda db: limit_status(db, customer_id, now, daily_cap))

    def transfer(self, req: TransferRequest) -> TransferResult:
        """Move money once per idempotency key; a repeat returns the first result with
        ``replayed=True``. Refusals (BankError subclasses) write nothing, so they fail closed
        and the same key may be retried later."""
        now = self.clock()
        return self.db.write(lambda db: execute_transfer(db, req, _own_code(db), now, self.guards))

    def transfer_record(self, txn_id: int) -> TransferRecord | None:
        return transfer_from(self.db.rows(TRANSFER_SQL + " WHERE t.txn_id = ?", txn_id))

    def transfer_by_reference(self, reference: str) -> TransferRecord | None:
        return transfer_from(self.db.rows(TRANSFER_SQL + " WHERE t.reference = ?", reference))

    def date_of_birth(self, customer_id: str) -> date | None:
        rows = self.db.rows("SELECT dob FROM customers WHERE customer_id = ?", customer_id)
        return date.fromisoformat(rows[0]["dob"]) if rows else None

    def total_balance(self) -> Decimal:
        """Customers', settlement and biller collection balances: constant through transfers.
        The opening-balance equity account, their seeded mirror image, is left out."""
        rows = self.db.rows(
            "SELECT COALESCE(SUM(balance), 0) AS total FROM accounts WHERE number != ?",
            EQUITY_ACCOUNT,
        )
        return from_cents(rows[0]["total"])

    def ledger_problems(self) -> list[str]:
        """Broken double-entry invariants; an empty list means the ledger is sound."""
        return self.db.read(ledger_problems)

    # loading ---------------------------------------------------------------------------
    def load_seed(self, doc: Mapping[str, Any], replace: bool = False) -> dict[str, int]:
        """Insert a *validated* seed (``bank.seed.load`` validates) in one transaction: all or
        nothing. Raises BankNotEmpty unless the bank is empty or ``replace`` wipes it first;
        the emptiness check holds the write lock, so two processes can't both load."""
        now = self.clock()

        def load(db: Connection) -> dict[str, int]:
            if replace:
                for table in TABLES:
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            elif db.execute("SELECT 1 FROM meta LIMIT 1").fetchone() is not None:
                raise BankNotEmpty()
            return insert_seed(db, doc, now)

        return self.db.write(load)


class SqliteBank(SqlBank):
    """The embedded demo bank on one SQLite file (``bank.db``)."""

    db: Database

    def __init__(
        self,
        path: str | Path,
        clock: Callable[[], datetime] = utc_now,
        guards: Sequence[Guard] = (),
    ) -> None:
        self.path = str(path)
        super().__init__(Database(path), clock, guards)
