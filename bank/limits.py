"""KYC limits (SECURITY.md 16): per transaction, per day and per month, by the customer's KYC
level, plus a lower daily cap the channel may add (the customer's own limit, the cooling-off
after registering). Checked twice: before the step-up, so the reply can say how much is left
today, and again inside the transfer's write transaction (``kyc_guard``), where the sums can't
change under the check.

Days and months are UTC, the bank's books. Transfers between a customer's own accounts move no
money out of their hands, so they neither count nor are limited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bank.db import stamp
from bank.money import from_cents
from bank.ports import ZERO, LimitStatus, TransferRequest
from bank.sql import Connection


def _start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _used_since(db: Connection, customer_id: str, since: datetime) -> Decimal:
    row = db.execute(
        "SELECT COALESCE(SUM(t.amount), 0) AS total FROM transfers t"
        " LEFT JOIN accounts a ON a.number = t.to_account AND a.customer_id = t.customer_id"
        " AND t.to_bank_code = (SELECT value FROM meta WHERE key = 'code')"
        " WHERE t.customer_id = ? AND t.created_at >= ? AND a.number IS NULL",
        (customer_id, stamp(since)),
    ).fetchone()
    return from_cents(int(row["total"]))


def is_own_account(db: Connection, req: TransferRequest) -> bool:
    """The transfer goes to another account of the same customer, in this bank."""
    row = db.execute(
        "SELECT 1 FROM accounts WHERE number = ? AND customer_id = ?"
        " AND ? = (SELECT value FROM meta WHERE key = 'code')",
        (req.to_account, req.customer_id, req.to_bank_code),
    ).fetchone()
    return row is not None


def limit_status(
    db: Connection, customer_id: str, now: datetime, daily_cap: Decimal | None = None
) -> LimitStatus:
    """The customer's limits and what they used; a customer or level the bank doesn't know
    gets no allowance at all (fail closed)."""
    level = db.execute(
        "SELECT k.* FROM customers c JOIN kyc_levels k ON k.level = c.kyc_level"
        " WHERE c.customer_id = ?",
        (customer_id,),
    ).fetchone()
    if level is None:
        return LimitStatus(0, ZERO, ZERO, ZERO, ZERO, ZERO)
    day = _start_of_day(now)
    daily = from_cents(level["daily"])
    if daily_cap is not None:
        daily = min(daily, max(ZERO, daily_cap))
    return LimitStatus(
        level=int(level["level"]),
        per_transaction=from_cents(level["per_transaction"]),
        daily=daily,
        monthly=from_cents(level["monthly"]),
        used_today=_used_since(db, customer_id, day),
        used_month=_used_since(db, customer_id, day.replace(day=1)),
    )


def kyc_guard(db: Connection, req: TransferRequest, now: datetime) -> None:
    """The limits again, inside the transfer's transaction (a ``bank.ledger.Guard``)."""
    if is_own_account(db, req):
        return
    refusal = limit_status(db, req.customer_id, now, req.daily_cap).refusal(req.amount)
    if refusal is not None:
        raise refusal
