"""Shortcuts taken for CPU give the answers the long way gave: the amount parser's symbol
look-up skipped when no symbol can start or end the text, and the matcher's candidate names
folded once per process."""

from __future__ import annotations

import itertools

import pytest

from flows import amounts, matching
from flows.matching import Candidate, match


def _every_symbol_tried(text: str) -> tuple[frozenset[str], str] | None:
    """``flows.amounts._symbol_at_an_end`` as it was: every symbol tried, longest first."""
    folded = text.casefold()
    for symbol in amounts._LONGEST_FIRST:
        if folded.startswith(symbol):
            rest = text[len(symbol) :]
            if not (symbol[-1].isalpha() and rest[:1].isalpha()):
                return amounts._SYMBOLS[symbol], rest.strip()
        if folded.endswith(symbol):
            rest = text[: len(text) - len(symbol)]
            if not (symbol[0].isalpha() and rest[-1:].isalpha()):
                return amounts._SYMBOLS[symbol], rest.strip()
    return None


NUMBERS = ["", "0", "1.00", "150", "1,500.50", "-5", "(5)", " 7 ", "ß5", "İ5"]
ENDS = ["", " ", *sorted(amounts._SYMBOLS), "US$ ", " kes", "Rs.", "x", "1"]


def test_the_symbol_shortcut_agrees_with_every_symbol_tried() -> None:
    texts = {f"{a}{n}{b}" for a, n, b in itertools.product(ENDS, NUMBERS, ENDS)}
    texts |= {s.upper() for s in texts}
    for text in texts:
        assert amounts._symbol_at_an_end(text) == _every_symbol_tried(text), text


@pytest.mark.parametrize("text", ["150", "1.00", "$150", "150 €", "KSh 20", "20kes", "₦1,000"])
def test_amounts_still_read_their_currency(text: str) -> None:
    assert amounts.parse_amount(text, "NGN") == amounts.parse_amount(f" {text} ", "NGN")
    assert amounts._symbol_at_an_end(text) == _every_symbol_tried(text)


@pytest.mark.parametrize("name", ["Chidi Okeke", "Fátima O'Brien", "İlker", "CITY-power", ""])
def test_a_kept_name_has_the_words_of_the_name(name: str) -> None:
    assert matching._name_words(name) == matching.words(name)
    assert matching._name_words(name) == matching.words(name)  # the second, kept


def test_matching_twice_gives_the_same_answer() -> None:
    candidates = [Candidate("1", "Chidi Okeke"), Candidate("2", "Chioma Obi", ("KPLC",))]
    first = [match(q, candidates) for q in ("chi", "c.o.", "kplc", "okeke", "zz")]
    assert [match(q, candidates) for q in ("chi", "c.o.", "kplc", "okeke", "zz")] == first
    assert first[1].ambiguous and first[2].unique == candidates[1]
