"""Rows of the demo bank's tables as the port's types: one place maps each table's columns."""

from __future__ import annotations

import json
from datetime import datetime

from bank.money import from_cents
from bank.ports import Account, BankProfile, Branch, Customer, Transaction, TransferRecord
from bank.sql import Row


def profile_from(meta_rows: list[Row]) -> BankProfile:
    """The bank's facts from its ``meta`` key/value rows (what the seed's ``bank`` said)."""
    meta = {r["key"]: r["value"] for r in meta_rows}
    listed = json.loads(meta.get("branches", "[]"))
    return BankProfile(
        meta.get("name", ""),
        meta.get("currency", ""),
        meta.get("code", ""),
        timezone=meta.get("timezone", ""),
        phone=meta.get("phone", ""),
        fraud_phone=meta.get("fraud_phone", ""),
        branches=tuple(Branch(str(b["name"]), str(b["address"])) for b in listed),
    )


def customer_from(row: Row) -> Customer:
    return Customer(
        row["customer_id"],
        row["name"],
        row["msisdn"],
        row["email"],
        row["kyc_level"],
        bool(row["chat_banking"]),
        row["segment"],
    )


def account_from(row: Row) -> Account:
    return Account(
        row["number"], row["customer_id"], row["type"], row["currency"], from_cents(row["balance"])
    )


# A transfer with its payer's ledger line (narration, masked counterparty).
TRANSFER_SQL = (
    "SELECT t.*, l.description, l.counterparty FROM transfers t"
    " JOIN ledger l ON l.txn_id = t.txn_id"
)


def transaction_from(row: Row) -> Transaction:
    return Transaction(
        txn_id=row["txn_id"],
        account_number=row["account_number"],
        amount=from_cents(row["amount"]),
        balance_after=from_cents(row["balance_after"]),
        description=row["description"],
        counterparty=row["counterparty"],
        created_at=datetime.fromisoformat(row["created_at"]),
        reference=row["reference"],
    )


def transfer_from(rows: list[Row]) -> TransferRecord | None:
    if not rows:
        return None
    r = rows[0]
    return TransferRecord(
        reference=r["reference"],
        txn_id=r["txn_id"],
        customer_id=r["customer_id"],
        from_account=r["from_account"],
        to_account=r["to_account"],
        to_bank_code=r["to_bank_code"],
        amount=from_cents(r["amount"]),
        status=r["status"],
        created_at=datetime.fromisoformat(r["created_at"]),
        narration=r["description"],
        counterparty=r["counterparty"],
    )
