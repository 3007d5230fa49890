"""The demo bank's SQL for opening a wallet (``SqlBank.open_wallet``), inside the caller's
write transaction: the duplicate checks, the customer, the wallet account, the record of the
terms accepted, and the claims paid in. Any error rolls all of it back.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bank.db import stamp
from bank.p2p import claim_into
from bank.ports import Claim, Customer
from bank.rows import account_from, customer_from
from bank.sql import Connection
from bank.wallet_types import OpenedWallet, Taken, WalletOpening, WalletRefused

WALLET_TYPE = "wallet"


def taken(db: Connection, msisdn: str, national_id: str) -> Taken | None:
    """Why a wallet can't be opened for this number and national ID, or None."""
    if db.execute("SELECT 1 FROM customers WHERE msisdn = ?", (msisdn,)).fetchone():
        return Taken.NUMBER
    if db.execute("SELECT 1 FROM customers WHERE national_id = ?", (national_id,)).fetchone():
        return Taken.NATIONAL_ID
    return None


def _new_id(db: Connection, sql: str, make: str) -> str:
    while True:  # random ids: nothing about one customer can be read from another's
        candidate = make.format(secrets.randbelow(10**10))
        if db.execute(sql, (candidate,)).fetchone() is None:
            return candidate


def open_wallet(db: Connection, opening: WalletOpening, now: datetime) -> OpenedWallet:
    reason = taken(db, opening.msisdn, opening.national_id)
    if reason is not None:
        raise WalletRefused(reason)
    level = db.execute("SELECT MIN(level) AS level FROM kyc_levels").fetchone()["level"]
    currency = db.execute("SELECT value FROM meta WHERE key = 'currency'").fetchone()["value"]
    customer_id = _new_id(db, "SELECT 1 FROM customers WHERE customer_id = ?", "W{:010d}")
    number = _new_id(db, "SELECT 1 FROM accounts WHERE number = ?", "{:010d}")
    db.execute(
        "INSERT INTO customers (customer_id, name, msisdn, email, dob, national_id, kyc_level,"
        " chat_banking, segment) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 'retail')",
        (
            customer_id,
            opening.name,
            opening.msisdn,
            opening.email,
            opening.dob.isoformat(),
            opening.national_id,
            level,
        ),
    )
    db.execute(
        "INSERT INTO accounts (number, customer_id, type, currency, balance)"
        " VALUES (?, ?, ?, ?, 0)",
        (number, customer_id, WALLET_TYPE, currency),
    )
    db.execute(
        "INSERT INTO wallet_openings (customer_id, terms_version, opened_at) VALUES (?, ?, ?)",
        (customer_id, opening.terms_version, stamp(now)),
    )
    claims = _pay_claims(db, opening.msisdn, number, now)
    row = db.execute("SELECT * FROM customers WHERE customer_id = ?", (customer_id,)).fetchone()
    customer: Customer = customer_from(row)
    wallet = account_from(
        db.execute("SELECT * FROM accounts WHERE number = ?", (number,)).fetchone()
    )
    return OpenedWallet(customer, wallet, claims)


def _pay_claims(db: Connection, msisdn: str, wallet: str, now: datetime) -> tuple[Claim, ...]:
    """Every pending, unexpired claim for the number, into the new wallet (expired ones are
    the refund job's)."""
    rows = db.execute(
        "SELECT claim_id FROM p2p_claims WHERE msisdn = ? AND status = 'pending'"
        " AND expires_at > ? ORDER BY created_at",
        (msisdn, stamp(now)),
    ).fetchall()
    return tuple(claim_into(db, row["claim_id"], wallet, now) for row in rows)


def terms_version(db: Connection, customer_id: str) -> str | None:
    row = db.execute(
        "SELECT terms_version FROM wallet_openings WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    return str(row["terms_version"]) if row else None
