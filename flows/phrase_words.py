"""The words of a one-line request, and the small things in it that ``flows.phrases`` looks for:
an amount as typed, an account, a statement period, a card's last 4 digits, a bill reference.

Each recogniser looks at the tokens from one position and says how many it covers (0: not
here). Nothing is converted: the parser hands the customer's own text to the flow, which reads it
with the parsers it already has (``flows.amounts.parse_amount``, ``documents.parse_month``) and
can explain a problem in the customer's terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flows.amounts import LETTER_SYMBOLS, SYMBOLS
from flows.documents import is_month_name
from messaging.languages import current

# Codes taken as a currency beside a number. A closed list, not any 3 letters: "pay 150 tom"
# names Tom. Codes that are everyday words or names (ALL, BOB, TOP, MAD…) are left out on purpose.
CURRENCIES = frozenset(
    {
        "usd",
        "eur",
        "gbp",
        "ngn",
        "kes",
        "ghs",
        "zar",
        "ugx",
        "tzs",
        "rwf",
        "xof",
        "xaf",
        "egp",
        "etb",
        "zmw",
        "mwk",
        "bwp",
        "nad",
        "inr",
        "cny",
        "jpy",
        "cad",
        "aud",
        "chf",
        "aed",
        "sar",
    }
) | frozenset(s for s in LETTER_SYMBOLS if len(s) > 2)  # "ksh 150"; not "kr", "rs" or "r"
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
# Currency words after a number stay part of the amount ("50 dollars"): parse_amount then
# refuses it with a reason the flow can explain, rather than "dollars" being lost or a name.
CURRENCY_WORDS = frozenset(
    {"dollar", "dollars", "naira", "shilling", "shillings", "cedi", "cedis", "rand", "euro"}
    | {"euros", "pound", "pounds", "bucks"}
)
_SYMBOL = re.escape("".join(sorted(SYMBOLS)))
# "2k" and "1.5m" are amount-like too: parse_amount refuses them with a reason.
_AMOUNT = re.compile(rf"[{_SYMBOL}]?{_NUMBER.pattern}[km]?[{_SYMBOL}]?")
_BARE = re.compile(r"\d+")
# A reference with letters and digits (``wc12345678``); at least one of each, so a word or a
# plain number never reads as one.
_ALNUM = re.compile(r"(?=[a-z-]*\d)(?=[\d-]*[a-z])[a-z0-9][a-z0-9-]{3,}")
# Last 4 digits, as typed or as we show them (``6789``, ``••6789``, ``**6789``, ``x6789``).
_LAST4 = re.compile(r"[•*x.·]*(\d{4})")
_NUMERIC_MONTH = re.compile(r"\d{1,2}[/-]\d{4}|\d{4}[/-]\d{1,2}")
_YEAR = re.compile(r"(?:19|20)\d\d")
ACCOUNT_TYPES = frozenset({"savings", "saving", "current", "wallet", "checking", "cheque"})
ACCOUNT_NOUNS = frozenset({"account", "acct", "acc", "a/c"})
_UNITS = frozenset({"day", "days", "month", "months", "week", "weeks"})


@dataclass(frozen=True)
class Token:
    """One word of the text: where it is (so slots stay the customer's own text) and the key it
    is compared by (case-folded, curly apostrophe straightened, edge punctuation trimmed)."""

    start: int
    end: int
    key: str


def tokens(text: str) -> list[Token]:
    found = []
    for word in re.finditer(r"\S+", text):
        key = word.group().casefold().replace("’", "'").strip(',;:!?"')
        if key:
            found.append(Token(word.start(), word.end(), key))
    return found


def span(text: str, toks: Sequence[Token], first: int, end: int) -> str:
    """The text from token ``first`` up to (not including) token ``end``, exactly as typed."""
    return text[toks[first].start : toks[end - 1].end]


def amount_at(toks: Sequence[Token], i: int, codes: frozenset[str]) -> int:
    """Tokens covered by an amount at ``i``: ``150``, ``1,500.50``, ``$20``, ``$ 20``,
    ``kes 150``, ``150 kes``. The number is not checked here (``15,00`` is still an amount, one
    ``parse_amount`` will refuse with a reason)."""
    key = toks[i].key
    following = toks[i + 1].key if i + 1 < len(toks) else ""
    if (key in codes or key in SYMBOLS) and _NUMBER.fullmatch(following):
        return 2
    if _AMOUNT.fullmatch(key) and any(c.isdigit() for c in key):
        # "1234567890 ngn 5,000": the code belongs to the number after it, not this one.
        after = toks[i + 2].key if i + 2 < len(toks) else ""
        if following in CURRENCY_WORDS:
            return 2
        return 2 if following in codes and not _NUMBER.fullmatch(after) else 1
    return 0


def is_bare_number(key: str) -> bool:
    return bool(_BARE.fullmatch(key))


def looks_like_reference(key: str) -> bool:
    """A bare number that can't sensibly be an amount, so it is a bill's reference: a leading 0
    (``01234567890``) or 8 digits and more (meter and smartcard numbers are 10 to 13)."""
    return is_bare_number(key) and (len(key) >= 8 or (len(key) > 1 and key.startswith("0")))


def is_alnum_reference(key: str) -> bool:
    return bool(_ALNUM.fullmatch(key))


def last4(key: str) -> tuple[int, int] | None:
    """Where the 4 digits are inside the token (so ``••6789`` gives ``6789``), or None."""
    found = _LAST4.fullmatch(key)
    return found.span(1) if found else None


def account_at(toks: Sequence[Token], i: int) -> int:
    """An account named by type, last 4 digits or both: ``savings``, ``6789``, ``current ••6789``
    (``account`` after it is part of it: ``savings account``)."""
    n = 0
    if toks[i].key in ACCOUNT_TYPES:
        n = 1
    if i + n < len(toks) and last4(toks[i + n].key):
        n += 1
    if n and i + n < len(toks) and toks[i + n].key in ACCOUNT_NOUNS:
        n += 1
    return n


def account_words(toks: Sequence[Token], i: int, n: int) -> int:
    """How many of the ``n`` tokens of an account at ``i`` name it: ``savings account`` is
    matched as ``savings`` (the noun would stop it matching the account's label)."""
    return n - 1 if n > 1 and toks[i + n - 1].key in ACCOUNT_NOUNS else n


def period_at(toks: Sequence[Token], i: int) -> int:
    """A statement period: ``october``, ``oct 2026``, ``10/2026``, ``last month``, ``this
    month``, ``last 30 days``, ``3 months``."""
    key = toks[i].key.rstrip(".")
    following = toks[i + 1].key if i + 1 < len(toks) else ""
    after = toks[i + 2].key if i + 2 < len(toks) else ""
    # The customer's language's month names too (``octobre``): the flow reads them alike.
    if is_month_name(key, current()):
        return 2 if _YEAR.fullmatch(following) else 1
    if _NUMERIC_MONTH.fullmatch(key):
        return 1
    if key in {"last", "past", "previous", "this"}:
        if following in {"month", "week"}:
            return 2
        if key != "this" and is_bare_number(following) and after in _UNITS:
            return 3
    if is_bare_number(key) and following in _UNITS:
        return 2
    return 0


class Reader:
    """The text, its tokens, and the leftover gathered while the grammars read it."""

    def __init__(self, text: str, toks: Sequence[Token]) -> None:
        self.text, self.toks = text, toks
        self.leftover: list[tuple[int, int]] = []

    def span(self, first: int, end: int) -> str:
        return span(self.text, self.toks, first, end)

    def left(self, i: int) -> None:
        # Adjacent leftover tokens read back as one piece ("sheet explained", not two).
        if self.leftover and self.leftover[-1][1] == i:
            self.leftover[-1] = (self.leftover[-1][0], i + 1)
        else:
            self.leftover.append((i, i + 1))

    def pieces(self) -> tuple[str, ...]:
        return tuple(self.span(a, b) for a, b in self.leftover)
