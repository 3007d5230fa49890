"""Money at the bank's storage boundary: ``Decimal`` outside, integer minor units (cents) inside.

SQLite stores balances and ledger legs as integers so ``SUM`` is exact and no float ever touches
money; these helpers are the only place the two representations meet. Amounts with more than two
decimals are refused rather than rounded: rounding a customer's amount silently would move a
different sum from the one they confirmed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from bank.ports import InvalidAmount

CENT = Decimal("0.01")
# Far above any real balance, far below SQLite's 64-bit integers: larger is a typo or an attack.
MAX_CENTS = 10**15


def has_cents_precision(amount: Decimal) -> bool:
    """Finite and at most two decimals (``1.10`` yes, ``1.105`` no, ``1.100`` yes)."""
    if not amount.is_finite():
        return False
    return amount == amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """A transfer amount in cents; raises InvalidAmount unless positive with ≤ 2 decimals."""
    try:
        valid = has_cents_precision(amount) and 0 < amount * 100 <= MAX_CENTS
    except InvalidOperation:  # quantize of a huge exponent
        valid = False
    if not valid:
        raise InvalidAmount(amount)
    return int(amount * 100)


def cents_of(text: str) -> int:
    """A decimal string already validated by the seed checker (may be signed) in cents."""
    return int(Decimal(text) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)
