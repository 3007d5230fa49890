"""Reading an amount the customer typed: ``1500``, ``1,500.50``, ``USD 1500``, ``$1,500``,
``1500 usd``, ``KSh 1,500``, ``20€``. Anything else gets a reason the reply can explain
(``AmountProblem``), never a guess: an amount is only read when it can be read one way.

The bank's currency may be named by its ISO code (``KES 150``, ``150 kes``: a space between) or
by one of its symbols (``KSh150``, ``KSh 150``, ``150 KSh``: before or after, space optional;
letters in any case). A code or symbol of another currency is refused (``other_currency``), not
converted. A symbol several currencies share (``$``, ``£``, ``kr``, ``¥``) is read as the bank's
when the bank's currency is one of them: ``$150`` is CAD 150 at a Canadian bank, USD 150 at an
American one, and another currency at a Kenyan one.

Thousands separators must be well placed (``1,500`` yes, ``15,00`` no: in some countries that
means 15.00). More than 2 decimals, zero, negatives and another currency are refused, not
rounded or converted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

_DOLLARS = ("$",)
_POUNDS = ("£",)
_CROWNS = ("kr", "kr.")
_RUPEES = ("Rs", "Rs.", "₨")
# The symbols customers type for each ISO 4217 code (a symbol may belong to several codes).
CURRENCY_SYMBOLS: Mapping[str, tuple[str, ...]] = {
    "USD": (*_DOLLARS, "US$"),
    "CAD": (*_DOLLARS, "C$", "CA$"),
    "AUD": (*_DOLLARS, "A$", "AU$"),
    "NZD": (*_DOLLARS, "NZ$"),
    "SGD": (*_DOLLARS, "S$"),
    "HKD": (*_DOLLARS, "HK$"),
    "MXN": (*_DOLLARS, "Mex$"),
    "JMD": (*_DOLLARS, "J$"),
    "TTD": (*_DOLLARS, "TT$"),
    "LRD": (*_DOLLARS, "L$"),
    "NAD": (*_DOLLARS, "N$"),
    "BRL": ("R$",),
    "EUR": ("€",),
    "GBP": (*_POUNDS,),
    "EGP": ("E£", "LE"),
    "NGN": ("₦",),
    "GHS": ("₵", "GH₵", "GH¢"),
    "KES": ("KSh", "Ksh."),
    "UGX": ("USh",),
    "TZS": ("TSh",),
    "ZAR": ("R",),
    "ZMW": ("ZK",),
    "MWK": ("MK",),
    "RWF": ("FRw", "RF"),
    "ETB": ("Br",),
    "XOF": ("CFA", "FCFA"),
    "XAF": ("CFA", "FCFA"),
    "MAD": ("DH", "Dhs"),
    "INR": ("₹", *_RUPEES),
    "PKR": (*_RUPEES,),
    "LKR": (*_RUPEES,),
    "NPR": (*_RUPEES,),
    "JPY": ("¥", "円"),
    "CNY": ("¥", "元", "CN¥", "RMB"),
    "KRW": ("₩",),
    "PHP": ("₱",),
    "THB": ("฿",),
    "VND": ("₫",),
    "IDR": ("Rp",),
    "MYR": ("RM",),
    "ILS": ("₪",),
    "TRY": ("₺",),
    "RUB": ("₽",),
    "UAH": ("₴",),
    "PLN": ("zł",),
    "CHF": ("Fr.", "SFr."),
    "SEK": (*_CROWNS,),
    "NOK": (*_CROWNS,),
    "DKK": (*_CROWNS,),
}
MAX_AMOUNT = Decimal("999999999999.99")
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CODE = re.compile(r"^[A-Za-z]{3}$")


def _by_symbol(table: Mapping[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Each symbol (case-folded) → the codes it may mean."""
    found: dict[str, set[str]] = {}
    for code, symbols in table.items():
        for symbol in symbols:
            found.setdefault(symbol.casefold(), set()).add(code)
    return {symbol: frozenset(codes) for symbol, codes in found.items()}


_SYMBOLS = _by_symbol(CURRENCY_SYMBOLS)
# The one-character symbols ($, €, £, ₦, …): what the one-line request parser takes as money
# beside a number (letter symbols such as KSh it reads as it reads codes).
SYMBOLS = frozenset(
    s for found in CURRENCY_SYMBOLS.values() for s in found if len(s) == 1 and not s.isalpha()
)
LETTER_SYMBOLS = frozenset(
    s.casefold() for found in CURRENCY_SYMBOLS.values() for s in found if len(s) > 1 and s.isalpha()
)
_LONGEST_FIRST = sorted(_SYMBOLS, key=len, reverse=True)  # "US$" before "$", "Rs." before "Rs"
# What a symbol can start or end with: a text that neither starts nor ends with one of these
# (most amounts: "150", "1.00") has no symbol at an end, and no symbol need be tried.
_FIRSTS = frozenset(s[0] for s in _SYMBOLS)
_LASTS = frozenset(s[-1] for s in _SYMBOLS)


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


def _symbol_at_an_end(text: str) -> tuple[frozenset[str], str] | None:
    """(the codes a leading or trailing symbol may mean, the rest), or None. A symbol ending
    (or starting) with a letter must not run into another letter: ``R`` is not the start of
    ``RWF 100``."""
    folded = text.casefold()
    if folded[:1] not in _FIRSTS and folded[-1:] not in _LASTS:
        return None
    for symbol in _LONGEST_FIRST:
        if folded.startswith(symbol):
            rest = text[len(symbol) :]
            if not (symbol[-1].isalpha() and rest[:1].isalpha()):
                return _SYMBOLS[symbol], rest.strip()
        if folded.endswith(symbol):
            rest = text[: len(text) - len(symbol)]
            if not (symbol[0].isalpha() and rest[-1:].isalpha()):
                return _SYMBOLS[symbol], rest.strip()
    return None


def _split_currency(text: str, currency: str) -> tuple[str, str]:
    """(the currency code the text names or "", the number part). A symbol that may mean the
    bank's currency is read as it."""
    symbol = _symbol_at_an_end(text)
    if symbol is not None:
        codes, number = symbol
        return (currency if currency in codes else min(codes)), number
    parts = text.split()
    if len(parts) == 2 and _CODE.match(parts[0]):
        return parts[0].upper(), parts[1]
    if len(parts) == 2 and _CODE.match(parts[1]):
        return parts[1].upper(), parts[0]
    return "", text


def parse_amount(text: str, currency: str) -> Amount:
    """The amount in ``currency`` the text states, or the problem with it."""
    currency = currency.upper()
    raw = text.strip()
    negative = raw.startswith("-") or raw.startswith("(")
    raw = raw.lstrip("-(").rstrip(")").strip()
    code, number = _split_currency(raw, currency)
    if number.startswith("-"):
        negative, number = True, number[1:].strip()
    if not _NUMBER.match(number):
        return Amount(None, AmountProblem.NOT_A_NUMBER)
    if code and code != currency:
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
