"""Changing the KYC limits and a customer's KYC level: the rules, in one place, and the SQL.

The rules (``level_problems``, ``customer_level_problems``) are pure, so the console can show
every problem before anything is proposed; the writes (``put_level``, ``set_customer_level``)
check them again inside the write transaction, against the levels as they are then, so two
changes made at once can't together break the order of the levels. A change is in force for
the next movement: the limits are read from the table by every check (``bank.limits``),
nothing keeps a copy.

Rules: every limit more than 0 with at most 2 decimals; per transaction ≤ daily ≤ monthly; a
higher level never allows less than a lower one, limit by limit; a new level is the next number;
a customer's level is one of the bank's levels.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bank.money import MAX_CENTS, from_cents, has_cents_precision, to_cents
from bank.ports import KycLevel, KycRefused
from bank.sql import Connection

LIMITS = ("per_transaction", "daily", "monthly")
LABELS = {"per_transaction": "per-transaction", "daily": "daily", "monthly": "monthly"}


def _amount_ok(amount: object) -> bool:
    if not isinstance(amount, Decimal) or not has_cents_precision(amount):
        return False
    return Decimal(0) < amount and amount * 100 <= MAX_CENTS


def level_problems(level: KycLevel, levels: Sequence[KycLevel]) -> list[str]:
    """Every rule ``level`` would break if it replaced (or, new, joined) ``levels``."""
    number = level.level
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        return ["level: a whole number from 1"]
    others = [other for other in levels if other.level != number]
    problems: list[str] = []
    if len(others) == len(levels):  # a new level
        following = max((other.level for other in levels), default=0) + 1
        if number != following:
            problems.append(f"level: a new level is the next one, {following}")
    good = {name: _amount_ok(getattr(level, name)) for name in LIMITS}
    problems += [
        f"{name}: more than 0, at most 2 decimals, such as 1000.00"
        for name in LIMITS
        if not good[name]
    ]
    if not all(good.values()):
        return problems
    if level.daily < level.per_transaction:
        problems.append(f"daily: at least the per-transaction limit ({level.per_transaction:,.2f})")
    if level.monthly < level.daily:
        problems.append(f"monthly: at least the daily limit ({level.daily:,.2f})")
    lower = max((o for o in others if o.level < number), key=lambda o: o.level, default=None)
    higher = min((o for o in others if o.level > number), key=lambda o: o.level, default=None)
    for name in LIMITS:
        value: Decimal = getattr(level, name)
        if lower is not None and value < getattr(lower, name):
            problems.append(
                f"{name}: at least level {lower.level}'s {LABELS[name]} limit "
                f"({getattr(lower, name):,.2f}): a higher level never allows less"
            )
        if higher is not None and value > getattr(higher, name):
            problems.append(
                f"{name}: at most level {higher.level}'s {LABELS[name]} limit "
                f"({getattr(higher, name):,.2f}): a lower level never allows more"
            )
    return problems


def customer_level_problems(level: object, levels: Sequence[KycLevel]) -> list[str]:
    """Why ``level`` can't be a customer's KYC level (empty: it can)."""
    known = sorted(other.level for other in levels)
    if isinstance(level, bool) or not isinstance(level, int) or level not in known:
        return [f"level: one of the bank's KYC levels ({', '.join(map(str, known))})"]
    return []


def read_levels(db: Connection) -> list[KycLevel]:
    """The bank's levels, lowest first."""
    rows = db.execute("SELECT * FROM kyc_levels ORDER BY level").fetchall()
    return [
        KycLevel(
            int(r["level"]),
            from_cents(r["per_transaction"]),
            from_cents(r["daily"]),
            from_cents(r["monthly"]),
        )
        for r in rows
    ]


def put_level(db: Connection, level: KycLevel) -> None:
    """Replace (or add) ``level`` inside the caller's write transaction; KycRefused on a rule."""
    problems = level_problems(level, read_levels(db))
    if problems:
        raise KycRefused(problems)
    db.execute(
        "INSERT INTO kyc_levels (level, per_transaction, daily, monthly) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (level) DO UPDATE SET per_transaction = excluded.per_transaction,"
        " daily = excluded.daily, monthly = excluded.monthly",
        (level.level, *(to_cents(getattr(level, name)) for name in LIMITS)),
    )


def set_customer_level(db: Connection, customer_id: str, level: int) -> None:
    """Move a customer to ``level`` inside the caller's write transaction; KycRefused when the
    customer or the level is unknown."""
    known = db.execute("SELECT 1 FROM customers WHERE customer_id = ?", (customer_id,))
    if known.fetchone() is None:
        raise KycRefused(["customer: the bank has no such customer"])
    problems = customer_level_problems(level, read_levels(db))
    if problems:
        raise KycRefused(problems)
    db.execute("UPDATE customers SET kyc_level = ? WHERE customer_id = ?", (level, customer_id))
