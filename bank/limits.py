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


def is_own_account(db: Connection, req: TransferRequest) -> bool:
    """The transfer goes to another account of the same customer, in this bank."""
    row = db.execute(
        "SELECT 1 FROM accounts WHERE number = ? AND customer_id = ?"
        " AND ? = (SELECT value FROM meta WHERE key = 'code')",
        (req.to_account, req.customer_id, req.to_bank_code),
    ).fetchone()
    return row is not None


# The level's limits and what the customer sent since the start of the day and of the month,
# in one statement: money to the customer's own accounts in this bank doesn't count. Today's
# transfers are within the month's, so one pass over the month sums both.
_LIMITS_SQL = (
    "SELECT k.level, k.per_transaction, k.daily, k.monthly, u.used_today, u.used_month"
    " FROM customers c JOIN kyc_levels k ON k.level = c.kyc_level CROSS JOIN ("
    "SELECT COALESCE(SUM(CASE WHEN t.created_at >= ? THEN t.amount ELSE 0 END), 0) AS used_today,"
    " COALESCE(SUM(t.amount), 0) AS used_month FROM transfers t"
    " LEFT JOIN accounts a ON a.number = t.to_account AND a.customer_id = t.customer_id"
    " AND t.to_bank_code = (SELECT value FROM meta WHERE key = 'code')"
    " WHERE t.customer_id = ? AND t.created_at >= ? AND a.number IS NULL) u"
    " WHERE c.customer_id = ?"
)


def limit_status(
    db: Connection, customer_id: str, now: datetime, daily_cap: Decimal | None = None
) -> LimitStatus:
    """The customer's limits and what they used; a customer or level the bank doesn't know
    gets no allowance at all (fail closed)."""
    day = _start_of_day(now)
    month = day.replace(day=1)
    row = db.execute(_LIMITS_SQL, (stamp(day), customer_id, stamp(month), customer_id)).fetchone()
    if row is None:
        return LimitStatus(0, ZERO, ZERO, ZERO, ZERO, ZERO)
    daily = from_cents(row["daily"])
    if daily_cap is not None:
        daily = min(daily, max(ZERO, daily_cap))
    return LimitStatus(
        level=int(row["level"]),
        per_transaction=from_cents(row["per_transaction"]),
        daily=daily,
        monthly=from_cents(row["monthly"]),
        used_today=from_cents(int(row["used_today"])),
        used_month=from_cents(int(row["used_month"])),
    )


def kyc_guard(db: Connection, req: TransferRequest, now: datetime) -> None:
    """The limits again, inside the transfer's transaction (a ``bank.ledger.Guard``)."""
    if is_own_account(db, req):
        return
    refusal = limit_status(db, req.customer_id, now, req.daily_cap).refusal(req.amount)
    if refusal is not None:
        raise refusal
