"""Reading an amount the customer typed: ``1500``, ``1,500.50``, ``USD 1500``, ``$1,500``,
``1500 usd``. Anything else gets a reason the reply can explain (``AmountProblem``), never a
guess: an amount is only read when it can be read one way.

Thousands separators must be well placed (``1,500`` yes, ``15,00`` no: in some countries that
means 15.00). More than 2 decimals, zero, negatives and another currency are refused, not
rounded or converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₦": "NGN"}
MAX_AMOUNT = Decimal("999999999999.99")
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CODE = re.compile(r"^[A-Za-z]{3}$")


class AmountProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    ZERO = "zero"
    NEGATIVE = "negative"
    TOO_MANY_DECIMALS = "too_many_decimals"
    OTHER_CURRENCY = "other_currency"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class Amount:
    value: Decimal | None
    problem: AmountProblem | None = None


def _split_currency(text: str) -> tuple[str, str]:
    """(currency code or "", the number part)."""
    for symbol, code in SYMBOLS.items():
        if text.startswith(symbol):
            return code, text[len(symbol) :].strip()
    parts = text.split()
    if len(parts) == 2 and _CODE.match(parts[0]):
        return parts[0].upper(), parts[1]
    if len(parts) == 2 and _CODE.match(parts[1]):
        return parts[1].upper(), parts[0]
    return "", text


def parse_amount(text: str, currency: str) -> Amount:
    """The amount in ``currency`` the text states, or the problem with it."""
    raw = text.strip()
    negative = raw.startswith("-") or raw.startswith("(")
    raw = raw.lstrip("-(").rstrip(")").strip()
    code, number = _split_currency(raw)
    if number.startswith("-"):
        negative, number = True, number[1:].strip()
    if not _NUMBER.match(number):
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    if code and code != currency.upper():
        return Amount(None, AmountProblem.OTHER_CURRENCY)
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    if negative and value != 0:
        return Amount(None, AmountProblem.NEGATIVE)
    if value == 0:
        return Amount(None, AmountProblem.ZERO)
    if value != value.quantize(Decimal("0.01")):
        return Amount(None, AmountProblem.TOO_MANY_DECIMALS)
    if value > MAX_AMOUNT:
        return Amount(None, AmountProblem.TOO_LARGE)
    return Amount(value.quantize(Decimal("0.01")))
