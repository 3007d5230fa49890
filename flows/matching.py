"""Matching a name the customer typed against a short list: saved payees, billers, accounts.

``match("fat", candidates)`` finds ``Fatuma Hassan``; ``match("c.o.", …)`` finds ``Chidi Okeke``;
``match("KPLC", …)`` finds the biller whose code is ``KPLC``. Comparison ignores case, accents
(``Fátima`` is ``fatima``), punctuation and extra spaces. A query matches a candidate at one of
four strengths, strongest first:

1. ``EXACT``: the whole name or an alias (a biller's code, an account's last 4 digits);
2. ``WORD``: whole words of the name, in order (``chidi``, ``okeke``, ``amina yusuf``);
3. ``PREFIX``: the start of the name, or the start of its words in order (``fat``, ``chidi ok``);
4. ``INITIALS``: the first letter of every word of the name (``co``, ``c.o.``), 2 letters or more.

Only the strongest level that anything reached counts: one candidate there is the match, even if
others matched more weakly; several there are a choice for the customer (we never guess among
equals). The weaker matches follow them in ``choices`` so the customer still sees every name the
query could mean, best first, at most ``MAX_CHOICES``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache

MAX_CHOICES = 5
# A prefix or initials of one letter would "match" half the list: ask for more instead.
MIN_LETTERS = 2
# Candidates' names and aliases whose words are kept: the same payees, billers and accounts
# are matched message after message, and folding each name was most of a match's CPU.
NAMES_KEPT = 4096


class Strength(IntEnum):
    INITIALS = 1
    PREFIX = 2
    WORD = 3
    EXACT = 4


@dataclass(frozen=True)
class Candidate:
    """Something the customer can name: ``id`` is the caller's own (an account number, a biller
    code, a payee's position), ``name`` what the customer sees, ``aliases`` other exact names."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """What a query matched: ``unique`` (the one candidate), or ``choices`` (several, best first,
    at most ``MAX_CHOICES``; ``total`` says how many matched in all), or neither (no match)."""

    unique: Candidate | None = None
    choices: tuple[Candidate, ...] = ()
    strength: Strength | None = None
    total: int = 0

    @property
    def found(self) -> bool:
        return self.unique is not None

    @property
    def ambiguous(self) -> bool:
        return bool(self.choices)


def words(text: str) -> tuple[str, ...]:
    """The text's words, compared as the customer means them: NFKD with the combining marks
    dropped (``é`` → ``e``), case-folded, every other non-alphanumeric character a separator."""
    decomposed = unicodedata.normalize("NFKD", text)
    # casefold() can itself produce combining marks (e.g. İ → i + dot): fold first, then strip.
    folded = unicodedata.normalize("NFKD", decomposed.casefold())
    kept = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return tuple(kept.split())


@lru_cache(maxsize=NAMES_KEPT)
def _name_words(name: str) -> tuple[str, ...]:
    """``words`` of a candidate's name or alias (never of what the customer typed): the same
    words, kept (``words`` is pure and its tuples can't change)."""
    return words(name)


def _in_order(query: Sequence[str], name: Sequence[str], whole: bool) -> bool:
    """Each query word is a word of the name (``whole``) or the start of one, in the name's
    order; name words may be skipped (a middle name the customer left out)."""
    position = 0
    for wanted in query:
        while position < len(name):
            word = name[position]
            position += 1
            if word == wanted or (not whole and word.startswith(wanted)):
                break
        else:
            return False
    return True


def _initials(query: Sequence[str]) -> str:
    """``co`` and ``c o`` (from ``c.o.``) both read as initials ``co``; ``chidi o`` does not."""
    if len(query) == 1:
        return query[0]
    return "".join(query) if all(len(w) == 1 for w in query) else ""


def strength(query: Sequence[str], candidate: Candidate) -> Strength | None:
    """How strongly the query's words (from ``words``) match the candidate, or None."""
    if not query:
        return None
    name = _name_words(candidate.name)
    compact = "".join(query)
    # Spaces and punctuation never decide: "citypower" is "City Power", "obrien" "O'Brien".
    if any(compact == "".join(_name_words(n)) for n in (candidate.name, *candidate.aliases)):
        return Strength.EXACT
    if not name:
        return None
    if _in_order(query, name, whole=True):
        return Strength.WORD
    if len(compact) >= MIN_LETTERS and (
        "".join(name).startswith(compact) or _in_order(query, name, whole=False)
    ):
        return Strength.PREFIX
    initials = _initials(query)
    if len(initials) >= MIN_LETTERS and len(name) >= 2 and initials == "".join(w[0] for w in name):
        return Strength.INITIALS
    return None


@dataclass(order=True)
class _Ranked:
    strength: int
    order: int
    candidate: Candidate = field(compare=False)


def match(query: str, candidates: Iterable[Candidate]) -> Match:
    """The candidate the query names, the choice among those it could name, or no match."""
    wanted = words(query)
    ranked = []
    for order, candidate in enumerate(candidates):
        found = strength(wanted, candidate)
        if found is not None:
            # Strongest first; among equals, the caller's own order (stable, predictable).
            ranked.append(_Ranked(-found, order, candidate))
    if not ranked:
        return Match()
    ranked.sort()
    best = Strength(-ranked[0].strength)
    at_best = [r for r in ranked if r.strength == ranked[0].strength]
    if len(at_best) == 1:
        return Match(unique=at_best[0].candidate, strength=best, total=len(ranked))
    chosen = tuple(r.candidate for r in ranked[:MAX_CHOICES])
    return Match(choices=chosen, strength=best, total=len(ranked))
