"""The double-entry ledger of the demo bank: every movement is a set of legs that sum to zero.

These functions run *inside* a write transaction opened by ``bank.db.Database.transaction`` and
never commit themselves, so a transfer's idempotency look-up, guards (KYC limits), debit, credit
and record are one atomic unit. A transfer to another bank credits that bank's settlement account
(``SETTLE-<code>``, owned by no customer): the bank's holdings never change through a transfer.
Counterparties are stored already masked, so a statement line can never leak a full number.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Sequence
from datetime import datetime

from bank.db import stamp
from bank.money import from_cents, to_cents
from bank.ports import (
    BILLER_BANK_CODE,
    P2P_HOLD_CODE,
    AccountNotOwned,
    IdempotencyConflict,
    InsufficientFunds,
    TransferRequest,
    TransferResult,
    UnknownAccount,
    UnknownBank,
)
from bank.sql import Connection, Row
from messaging.masking import mask_account, mask_phone

Guard = Callable[[Connection, TransferRequest, datetime], None]
"""A check run inside the transfer's transaction, after the idempotency look-up and before the
debit, with the write lock held (so sums it reads, e.g. today's debits for a KYC limit, cannot
change under it). It refuses by raising a ``BankError``; nothing is then written."""

EQUITY_ACCOUNT = "EQUITY-OPENING"  # the other side of seeded opening balances and history
_REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
NARRATION_MAX = 100
KEY_MAX = 200


P2P_HOLD_ACCOUNT = "HOLD-P2P"  # money sent to mobile numbers without a wallet, until claimed


def settlement_account(bank_code: str) -> str:
    return f"SETTLE-{bank_code}"


def collection_account(biller_code: str) -> str:
    return f"BILLER-{biller_code}"


def new_reference(db: Connection, prefix: str = "TX") -> str:
    """``TX`` + 6 random uppercase alphanumerics, unique in the ledger (checked under the lock)."""
    while True:
        reference = prefix + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        if db.execute("SELECT 1 FROM ledger WHERE reference = ?", (reference,)).fetchone() is None:
            return reference


def post_leg(
    db: Connection,
    account: str,
    cents: int,
    description: str,
    counterparty: str,
    reference: str,
    created_at: str,
) -> int:
    """Apply one leg to an account's balance and record it; returns its ``txn_id``."""
    row = db.execute(
        "UPDATE accounts SET balance = balance + ? WHERE number = ? RETURNING balance",
        (cents, account),
    ).fetchone()
    if row is None:
        raise UnknownAccount(account)
    leg = db.execute(
        "INSERT INTO ledger (account_number, amount, balance_after, description, counterparty,"
        " reference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING txn_id",
        (account, cents, row["balance"], description, counterparty, reference, created_at),
    ).fetchone()
    return int(leg["txn_id"])


def _result(row: Row, replayed: bool) -> TransferResult:
    return TransferResult(
        reference=row["reference"],
        txn_id=row["txn_id"],
        from_account=row["from_account"],
        to_account=row["to_account"],
        amount=from_cents(row["amount"]),
        status=row["status"],
        created_at=datetime.fromisoformat(row["created_at"]),
        replayed=replayed,
    )


def _counterparties(
    db: Connection, req: TransferRequest, own_code: str, source: Row
) -> tuple[str, str, str]:
    """(account to credit, how the payer sees the payee, how the payee sees the payer)."""
    payer = f"{_owner_name(db, source['customer_id'])} {mask_account(req.from_account)}"
    if req.to_bank_code == P2P_HOLD_CODE:
        db.execute(
            "INSERT INTO accounts (number, customer_id, type, currency, balance)"
            " VALUES (?, NULL, 'hold', ?, 0) ON CONFLICT DO NOTHING",
            (P2P_HOLD_ACCOUNT, source["currency"]),
        )
        return P2P_HOLD_ACCOUNT, f"Mobile {mask_phone(req.to_account)}", payer
    if req.to_bank_code == BILLER_BANK_CODE:
        biller = db.execute("SELECT name FROM billers WHERE code = ?", (req.to_account,)).fetchone()
        if biller is None:
            raise UnknownAccount(req.to_account)
        credit = collection_account(req.to_account)
        db.execute(
            "INSERT INTO accounts (number, customer_id, type, currency, balance)"
            " VALUES (?, NULL, 'collection', ?, 0) ON CONFLICT DO NOTHING",
            (credit, source["currency"]),
        )
        return credit, str(biller["name"]), payer
    if req.to_bank_code != own_code:
        other = db.execute(
            "SELECT name FROM other_banks WHERE code = ?", (req.to_bank_code,)
        ).fetchone()
        if other is None:
            raise UnknownBank(req.to_bank_code)
        credit = settlement_account(req.to_bank_code)
        db.execute(
            "INSERT INTO accounts (number, customer_id, type, currency, balance)"
            " VALUES (?, NULL, 'settlement', ?, 0) ON CONFLICT DO NOTHING",
            (credit, source["currency"]),
        )
        return credit, f"{other['name']} {mask_account(req.to_account)}", payer
    target = db.execute(
        "SELECT customer_id FROM accounts WHERE number = ? AND customer_id IS NOT NULL",
        (req.to_account,),
    ).fetchone()
    if target is None or req.to_account == req.from_account:
        raise UnknownAccount(req.to_account)
    payee = f"{_owner_name(db, target['customer_id'])} {mask_account(req.to_account)}"
    return req.to_account, payee, payer


def _owner_name(db: Connection, customer_id: str) -> str:
    row = db.execute("SELECT name FROM customers WHERE customer_id = ?", (customer_id,)).fetchone()
    return str(row["name"]) if row else ""


def execute_transfer(
    db: Connection,
    req: TransferRequest,
    own_code: str,
    now: datetime,
    guards: Sequence[Guard] = (),
) -> TransferResult:
    """Replay, refuse, or move the money: call only inside a write transaction (``write``)."""
    if not req.idempotency_key.strip() or len(req.idempotency_key) > KEY_MAX:
        # A caller bug, not a customer's refusal: a shared blank key would replay strangers.
        raise ValueError(f"idempotency_key must be 1-{KEY_MAX} characters")
    cents = to_cents(req.amount)
    created_at = stamp(now)
    seen = db.execute(
        "SELECT * FROM transfers WHERE idempotency_key = ?", (req.idempotency_key,)
    ).fetchone()
    if seen is not None:
        facts = (req.customer_id, req.from_account, req.to_account, req.to_bank_code, cents)
        stored = tuple(
            seen[k] for k in ("customer_id", "from_account", "to_account", "to_bank_code", "amount")
        )
        if stored != facts:
            raise IdempotencyConflict(req.idempotency_key)
        return _result(seen, replayed=True)
    source = db.execute("SELECT * FROM accounts WHERE number = ?", (req.from_account,)).fetchone()
    if source is None:
        raise UnknownAccount(req.from_account)
    if source["customer_id"] != req.customer_id:
        raise AccountNotOwned(req.from_account, req.customer_id)
    credit, payee, payer = _counterparties(db, req, own_code, source)
    for guard in guards:
        guard(db, req, now)
    if source["balance"] < cents:
        raise InsufficientFunds(from_cents(source["balance"]))
    reference = new_reference(db)
    narration = " ".join(req.narration.split())[:NARRATION_MAX]
    txn_id = post_leg(
        db, req.from_account, -cents, narration or "Transfer", payee, reference, created_at
    )
    post_leg(db, credit, cents, narration or "Transfer", payer, reference, created_at)
    db.execute(
        "INSERT INTO transfers (idempotency_key, reference, customer_id, from_account, to_account,"
        " to_bank_code, amount, status, txn_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'completed', ?, ?)",
        (
            req.idempotency_key,
            reference,
            req.customer_id,
            req.from_account,
            req.to_account,
            req.to_bank_code,
            cents,
            txn_id,
            created_at,
        ),
    )
    row = db.execute("SELECT * FROM transfers WHERE reference = ?", (reference,)).fetchone()
    return _result(row, replayed=False)


def ledger_problems(db: Connection) -> list[str]:
    """Broken invariants (empty when sound): legs of each reference sum to zero, and each
    account's balance is the sum of its legs. Account numbers are masked in the messages."""
    problems = [
        f"reference {r['reference']}: legs sum to {from_cents(r['total'])}"
        for r in db.execute(
            "SELECT reference, SUM(amount) AS total FROM ledger GROUP BY reference"
            " HAVING SUM(amount) != 0"
        )
    ]
    problems += [
        f"account {mask_account(r['number'])}: balance differs from its legs"
        for r in db.execute(
            "SELECT a.number FROM accounts a LEFT JOIN ledger l ON l.account_number = a.number"
            " GROUP BY a.number HAVING a.balance != COALESCE(SUM(l.amount), 0)"
        )
    ]
    return problems
