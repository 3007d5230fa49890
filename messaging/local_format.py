"""Amounts, numbers and times as the customer's language writes them, by Babel.

English keeps Teller's own shapes (``USD 2,500.00``, ``02 Nov 10:14 WAT``): the transcripts pin
them. Another language gets Babel's (CLDR's) for its locale: ``2 500,00 $US`` and
``02 nov. 10:14 WAT`` in French. The currency and the zone are always the bank's facts; only
their writing changes. The zone's abbreviation is the bank's own (``WAT``), as a branch says it,
where CLDR often has only an offset.

Templates keep ``str.format`` specs written for ``datetime``/``Decimal`` (``{when:%d %b %H:%M
%Z}``, ``{amount:,.2f}``); ``localized`` wraps a value so the same spec is written for the
locale: the strftime fields become their CLDR pattern letters, and a number spec becomes a
decimal pattern with the locale's separators.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal

from messaging.languages import SOURCE, current

# strftime directive → CLDR date pattern letters (the ones Teller's templates use).
_STRFTIME_TO_CLDR = {
    "d": "dd",
    "b": "MMM",
    "B": "MMMM",
    "m": "MM",
    "Y": "yyyy",
    "y": "yy",
    "H": "HH",
    "M": "mm",
    "S": "ss",
    "A": "EEEE",
    "a": "EEE",
}
_DIRECTIVE = re.compile(r"%(.)")


def money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """An amount in the bank's currency: ``USD 2,500.00`` (English), Babel's elsewhere."""
    chosen = current() if language is None else language
    if chosen == SOURCE:
        sign = "−" if amount < 0 else ""
        return f"{sign}{currency} {abs(amount):,.2f}"
    return format_currency(amount, currency, locale=chosen)


def when(at: datetime, strftime: str, language: str | None = None) -> str:
    """A time already on the bank's clock, written with a strftime spec: as is in English,
    through the locale's month and day names elsewhere; ``%Z`` is the zone's abbreviation."""
    chosen = current() if language is None else language
    if chosen == SOURCE:
        return at.strftime(strftime)
    return format_datetime(at, _cldr_pattern(strftime, at), tzinfo=at.tzinfo, locale=chosen)


def number(value: Decimal | int | float, spec: str, language: str | None = None) -> str:
    """A number with a format spec (``,.2f``): as Python writes it in English, with the
    locale's separators elsewhere."""
    chosen = current() if language is None else language
    if chosen == SOURCE:
        return format(value, spec)
    places = re.search(r"\.(\d+)f", spec)
    digits = int(places.group(1)) if places else 0
    grouping = "#,##0" if "," in spec else "0"
    pattern = grouping + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(str(value)), pattern, locale=chosen)


class Localized:
    """A datetime or number that ``str.format`` writes in a language (see the module doc)."""

    def __init__(self, value: object, language: str) -> None:
        self.value = value
        self.language = language

    def __format__(self, spec: str) -> str:
        if isinstance(self.value, datetime) and spec:
            return when(self.value, spec, self.language)
        if isinstance(self.value, Decimal | int | float) and spec:
            return number(self.value, spec, self.language)
        return format(self.value, spec)

    def __str__(self) -> str:
        return self.__format__("")


def localized(value: object, language: str) -> object:
    """``value`` itself in English; wrapped for the locale when it is a time or a number."""
    if language == SOURCE or isinstance(value, bool):
        return value
    if isinstance(value, datetime | Decimal | int | float):
        return Localized(value, language)
    return value


def _cldr_pattern(strftime: str, at: datetime) -> str:
    out: list[str] = []
    pos = 0
    for match in _DIRECTIVE.finditer(strftime):
        out.append(_quote(strftime[pos : match.start()]))
        directive = match.group(1)
        if directive == "Z":
            out.append(_quote(at.tzname() or ""))
        elif directive == "%":
            out.append(_quote("%"))
        else:
            out.append(_STRFTIME_TO_CLDR.get(directive, ""))
        pos = match.end()
    out.append(_quote(strftime[pos:]))
    return "".join(out)


def _quote(literal: str) -> str:
    """Literal text in a CLDR pattern: letters are quoted, a quote is doubled."""
    if not literal:
        return ""
    if not re.search(r"[A-Za-z']", literal):
        return literal
    return "'" + literal.replace("'", "''") + "'"
