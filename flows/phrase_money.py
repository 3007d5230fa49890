"""The grammar of one-line money requests (``flows.phrases``): who or what is paid, how much,
from which account, and (for bills) the reference, in the orders customers type them:

``send 150 to fatuma``, ``send fatuma 150``, ``transfer 150 from savings to chidi okeke``,
``pay kplc 12345678901 50``, ``pay 50 to kplc for 12345678901``, ``pay city power bill 50``.

A name runs until the next amount, reference or marker word (``to``, ``from``, ``for``); right
after ``to`` a number is a name too (a mobile or account number). For bills a bare number is a
reference when it can't sensibly be an amount (``phrase_words.looks_like_reference``); two that
could each be either are read in the order the help gives, reference then amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows import phrase_words as w

_COURTESY = frozenset({"please", "pls", "plz"})
_FILLER = frozenset({"money", "cash", "some"})
_LEADING_GLUE = frozenset({"my", "the", "a"})
_REFERENCE_MARKERS = frozenset({"ref", "reference", "meter", "smartcard", "account", "acc"})
_NUMBER_WORDS = frozenset({"no", "no.", "number", "#"})


@dataclass
class Money:
    """What a money request named, as typed; ``bill`` when it said so (``pay kplc bill …``)."""

    amount: str | None = None
    name: str | None = None
    source: str | None = None
    reference: str | None = None
    bill: bool = False


def _marked_reference(toks: list[w.Token], i: int) -> int:
    """Index of the reference after a marker (``meter no 0123…``, ``ref wc123…``), or -1."""
    j = i + 1
    while j < len(toks) and toks[j].key in _NUMBER_WORDS:
        j += 1
    if j < len(toks) and (toks[j].key[:1].isdigit() or w.is_alnum_reference(toks[j].key)):
        return j
    return -1


def read(reader: w.Reader, i: int, bills: bool, codes: frozenset[str]) -> Money | None:
    """Read the tokens from ``i`` on; ``bills`` when a reference may be named (pay, pay bill).
    None when the text could be read two ways (two names, two amounts, two references)."""
    toks = list(reader.toks)
    money = Money()
    name: list[int] = []
    source: list[int] = []
    numbers: list[tuple[int, int, bool]] = []  # (first, end, has currency or separators)
    references: list[int] = []
    target = ""  # where plain words go now: "name", "source", "note" (leftover) or "" (none)
    while i < len(toks):
        key = toks[i].key
        if key in _COURTESY or (not target and key in _FILLER):
            i += 1
        elif key == "to":
            if name:
                return None  # "pay chidi 50 to tunde": which one?
            target, i = "name", i + 1
            if i < len(toks) and toks[i].key not in _LEADING_GLUE:
                name.append(i)  # right after "to", digits name someone (a mobile number)
                i += 1
        elif key == "from":
            if source or money.source:
                return None
            j = i + 1
            # "from my account 6789": the noun and "my" are glue, the digits the account.
            while j < len(toks) and toks[j].key in _LEADING_GLUE | w.ACCOUNT_NOUNS:
                j += 1
            n = w.account_at(toks, j) if j < len(toks) else 0
            if n:
                money.source = reader.span(j, j + w.account_words(toks, j, n))
                target, i = "", j + n
            else:
                target, i = "source", j
        elif bills and key in {"bill", "bills"}:
            money.bill, target, i = True, "", i + 1
        elif bills and key in _REFERENCE_MARKERS | {"for"} and _marked_reference(toks, i) >= 0:
            j = _marked_reference(toks, i)
            references.append(j)
            target, i = "", j + 1
        elif key == "for":
            # A note ("for lunch") has no slot: said back as leftover, not lost.
            reader.left(i)
            target, i = "note", i + 1
        elif bills and w.is_alnum_reference(key):
            references.append(i)
            target, i = "", i + 1
        elif n := w.amount_at(toks, i, codes):
            numbers.append((i, i + n, n == 2 or not w.is_bare_number(key)))
            target, i = "", i + n
        else:
            if target == "name" or (not target and not name):
                target = "name"
                name.append(i)
            elif target == "source":
                source.append(i)
            else:
                reader.left(i)
            i += 1
    while name and toks[name[0]].key in _LEADING_GLUE:
        name.pop(0)
    while source and toks[source[-1]].key in w.ACCOUNT_NOUNS:
        source.pop()
    if name:
        money.name = reader.span(name[0], name[-1] + 1)
    if source:
        money.source = reader.span(source[0], source[-1] + 1)
    return _numbers(reader, money, numbers, references, bills)


def _numbers(
    reader: w.Reader,
    money: Money,
    numbers: list[tuple[int, int, bool]],
    references: list[int],
    bills: bool,
) -> Money | None:
    """Which number is the amount and which the reference; None when it can't be told."""
    strong = [(a, b) for a, b, sure in numbers if sure]
    bare = [a for a, _, sure in numbers if not sure]
    if not bills:
        if len(numbers) > 1:
            return None
        if numbers:
            money.amount = reader.span(numbers[0][0], numbers[0][1])
        return money
    if len(strong) > 1 or len(references) > 1:
        return None
    amount = strong[0] if strong else None
    reference = references[0] if references else None
    free = (amount is None) + (reference is None)
    if len(bare) > free:
        return None
    if len(bare) == 2:
        first, second = (w.looks_like_reference(reader.toks[a].key) for a in bare)
        if first and second:
            return None  # two meter-like numbers
        # The order the help gives is reference then amount; a reference-like one decides.
        reference, amount_at = (bare[1], bare[0]) if second and not first else (bare[0], bare[1])
        amount = (amount_at, amount_at + 1)
    elif len(bare) == 1:
        only = bare[0]
        wants_reference = w.looks_like_reference(reader.toks[only].key)
        if reference is None and (amount is not None or wants_reference):
            reference = only
        else:
            amount = (only, only + 1)
    if amount is not None:
        money.amount = reader.span(*amount)
    if reference is not None:
        money.reference = reader.span(reference, reference + 1)
    return money
