"""The SQL half of seed loading: rows for a seed document that ``bank.seed`` already validated.

Kept apart from validation so each stays small, and from ``SqlBank`` so the adapter reads as
the port it implements. Balances are never written directly: every account starts at zero and
its seeded history and opening balance are posted as ledger legs against the bank's
opening-balance equity account. So even a freshly loaded bank satisfies the ledger invariants
(each account's balance is the sum of its legs; each reference's legs sum to zero). The opening
balance is dated over a year back, so a statement shows it as its opening balance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bank.db import stamp
from bank.ledger import EQUITY_ACCOUNT, new_reference, post_leg
from bank.money import cents_of
from bank.sql import Connection

# Statements cover at most the last 12 months: an opening balance older than that never lands
# inside a statement's period.
OPENING_BEFORE = timedelta(days=400)


def _post_pair(
    db: Connection, account: str, cents: int, line: Mapping[str, Any], at: datetime
) -> None:
    reference = new_reference(db, prefix="SD")
    description = str(line.get("description", "Opening balance"))
    counterparty = str(line.get("counterparty", ""))
    post_leg(db, account, cents, description, counterparty, reference, stamp(at))
    post_leg(db, EQUITY_ACCOUNT, -cents, description, "", reference, stamp(at))


def _post_history(db: Connection, account: Mapping[str, Any], now: datetime) -> int:
    """Opening balance first, then each line in date order; returns the lines posted.

    The opening balance is dated before any period a statement can cover (the last 12 months,
    and before the first seeded line), so every statement shows it as the opening balance,
    never as money in during the period."""
    lines = sorted(account.get("transactions", []), key=lambda line: line["date"])
    opening = cents_of(account["balance"]) - sum(cents_of(line["amount"]) for line in lines)
    first = min(
        now.astimezone(UTC) - OPENING_BEFORE,
        datetime.combine(date.fromisoformat(lines[0]["date"]), time(0), UTC) - timedelta(days=1)
        if lines
        else now.astimezone(UTC),
    )
    if opening:
        _post_pair(db, account["number"], opening, {"description": "Opening balance"}, first)
    for line in lines:
        at = datetime.combine(date.fromisoformat(line["date"]), time(12), UTC)
        _post_pair(db, account["number"], cents_of(line["amount"]), line, at)
    return len(lines)


def insert_seed(db: Connection, doc: Mapping[str, Any], now: datetime) -> dict[str, int]:
    """Insert every row of ``doc``; call inside one transaction. Returns counts per kind."""
    bank = doc["bank"]
    contacts = bank.get("contacts", {})
    meta = {
        "name": bank["name"],
        "currency": bank["currency"],
        "code": bank["code"],
        "timezone": bank.get("timezone", ""),
        "phone": contacts.get("phone", ""),
        "fraud_phone": contacts.get("fraud", ""),
        "branches": json.dumps(bank.get("branches", [])),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
    banks = doc.get("banks", [])
    db.executemany("INSERT INTO other_banks VALUES (?, ?)", [(b["code"], b["name"]) for b in banks])
    billers = doc.get("billers", [])
    db.executemany(
        "INSERT INTO billers VALUES (?, ?, ?, ?)",
        [(b["code"], b["name"], b["reference_label"], b["reference_pattern"]) for b in billers],
    )
    db.executemany(
        "INSERT INTO kyc_levels VALUES (?, ?, ?, ?)",
        [
            (
                k["level"],
                cents_of(k["per_transaction"]),
                cents_of(k["daily"]),
                cents_of(k["monthly"]),
            )
            for k in doc["kyc_levels"]
        ],
    )
    registry = doc.get("national_id_registry", [])
    db.executemany(
        "INSERT INTO id_registry VALUES (?, ?, ?)",
        [(p["national_id"], p["name"], p["dob"]) for p in registry],
    )
    db.execute(
        "INSERT INTO accounts VALUES (?, NULL, 'equity', ?, 0)", (EQUITY_ACCOUNT, bank["currency"])
    )
    counts = {"customers": 0, "accounts": 0, "cards": 0, "payees": 0, "transactions": 0}
    for customer in doc["customers"]:
        cid = customer["customer_id"]
        db.execute(
            "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cid,
                customer["name"],
                customer["msisdn"],
                customer["email"],
                customer["dob"],
                customer["national_id"],
                customer["kyc_level"],
                int(customer.get("chat_banking", True)),
                customer.get("segment", "retail"),
            ),
        )
        for account in customer.get("accounts", []):
            db.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, 0)",
                (account["number"], cid, account["type"], account["currency"]),
            )
            counts["transactions"] += _post_history(db, account, now)
            counts["accounts"] += 1
        for card in customer.get("cards", []):
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?)",
                (card["card_id"], cid, card["pan"], card["status"]),
            )
            counts["cards"] += 1
        for payee in customer.get("payees", []):
            db.execute(
                "INSERT INTO payees (customer_id, name, bank_code, account_number)"
                " VALUES (?, ?, ?, ?)",
                (cid, payee["name"], payee["bank_code"], payee["account_number"]),
            )
            counts["payees"] += 1
        counts["customers"] += 1
    counts |= {"banks": len(banks), "billers": len(billers), "kyc_levels": len(doc["kyc_levels"])}
    counts["national_ids"] = len(registry)
    return counts
