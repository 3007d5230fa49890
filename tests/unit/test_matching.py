"""Matching names the customer typed against payees, billers and accounts: exact, whole words,
prefixes, initials, accents and punctuation ignored, and a choice (never a guess) among equals;
and ``pay X`` settled as a transfer or a bill by what X matches."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bank.ports import Account, Biller, Payee
from flows.matching import MAX_CHOICES, Candidate, Strength, match, words
from flows.naming import (
    account_candidates,
    biller_candidates,
    payee_candidates,
    resolve_pay,
    settle,
)
from flows.phrases import Intent, parse

PAYEES = (
    Candidate("p1", "Chidi Okeke"),
    Candidate("p2", "Fatuma Hassan"),
    Candidate("p3", "Fátima Bello"),
    Candidate("p4", "Tunde Bakare"),
    Candidate("p5", "Amina Bello Yusuf"),
    Candidate("p6", "Seán O'Brien"),
)
BILLERS = (
    Candidate("ELEC", "City Power", ("ELEC",)),
    Candidate("KPLC", "Kenya Power", ("KPLC",)),
    Candidate("WATER", "City Water", ("WATER",)),
    Candidate("DSTV", "DStv", ("DSTV",)),
)


@pytest.mark.parametrize(
    ("query", "candidates", "expected", "strength"),
    [
        ("chidi okeke", PAYEES, "p1", Strength.EXACT),
        ("CHIDI  OKEKE", PAYEES, "p1", Strength.EXACT),
        ("Chidi Okeke.", PAYEES, "p1", Strength.EXACT),
        ("fatima bello", PAYEES, "p3", Strength.EXACT),  # accents ignored
        ("FÁTIMA", PAYEES, "p3", Strength.WORD),
        ("sean obrien", PAYEES, "p6", Strength.EXACT),  # punctuation never decides
        ("o'brien", PAYEES, "p6", Strength.WORD),
        ("chidi", PAYEES, "p1", Strength.WORD),  # the full first name
        ("okeke", PAYEES, "p1", Strength.WORD),  # the full last name
        ("hassan", PAYEES, "p2", Strength.WORD),
        ("amina yusuf", PAYEES, "p5", Strength.WORD),  # middle name left out
        ("fatu", PAYEES, "p2", Strength.PREFIX),
        ("chidi ok", PAYEES, "p1", Strength.PREFIX),
        ("tun bak", PAYEES, "p4", Strength.PREFIX),
        ("bak", PAYEES, "p4", Strength.PREFIX),  # the start of any word
        ("co", PAYEES, "p1", Strength.INITIALS),
        ("c.o.", PAYEES, "p1", Strength.PREFIX),  # each letter starts a word, in order
        ("C O", PAYEES, "p1", Strength.PREFIX),
        ("aby", PAYEES, "p5", Strength.INITIALS),
        ("kplc", BILLERS, "KPLC", Strength.EXACT),  # a biller's code
        ("Elec", BILLERS, "ELEC", Strength.EXACT),
        ("city power", BILLERS, "ELEC", Strength.EXACT),
        ("citypower", BILLERS, "ELEC", Strength.EXACT),
        ("kenya", BILLERS, "KPLC", Strength.WORD),
        ("dstv", BILLERS, "DSTV", Strength.EXACT),
        ("cp", BILLERS, "ELEC", Strength.INITIALS),
        ("city wat", BILLERS, "WATER", Strength.PREFIX),
    ],
)
def test_one_candidate_matches(
    query: str, candidates: tuple[Candidate, ...], expected: str, strength: Strength
) -> None:
    found = match(query, candidates)
    assert found.unique is not None and found.unique.id == expected
    assert found.strength is strength and not found.choices


@pytest.mark.parametrize(
    ("query", "candidates", "expected"),
    [
        ("fat", PAYEES, ("p2", "p3")),  # Fatuma and Fátima: never guess
        ("bello", PAYEES, ("p3", "p5")),
        ("city", BILLERS, ("ELEC", "WATER")),
        ("chidi", (Candidate("a", "Chidi Okeke"), Candidate("b", "Chidi Okeke")), ("a", "b")),
    ],
)
def test_equals_are_a_choice(
    query: str, candidates: tuple[Candidate, ...], expected: tuple[str, ...]
) -> None:
    found = match(query, candidates)
    assert found.unique is None and found.ambiguous
    assert tuple(c.id for c in found.choices) == expected


@pytest.mark.parametrize("query", ["", "  ", "...", "x", "zed", "okekee", "chidi bello", "oc"])
def test_no_match(query: str) -> None:
    found = match(query, PAYEES)
    assert not found.found and not found.ambiguous and found.total == 0


def test_the_strongest_level_decides() -> None:
    people = (
        Candidate("1", "Chidinma Eze"),
        Candidate("2", "Chidi Okeke"),
        Candidate("3", "Ann"),
        Candidate("4", "Ann Lee"),
        Candidate("5", "Co Ltd"),
    )
    assert match("chidi", people).unique == people[1]  # a whole word beats a prefix
    assert match("ann", people).unique == people[2]  # the exact name beats a word of another
    assert match("co", people).unique == people[4]  # exact beats initials (Chidi Okeke)
    assert match("chid", people).choices == (people[0], people[1])


def test_choices_are_best_first_and_capped() -> None:
    many = [*(Candidate(str(n), f"Ade {n}") for n in range(8)), Candidate("x", "Adebayo")]
    found = match("ade", many)
    assert found.strength is Strength.WORD and found.total == 9
    assert len(found.choices) == MAX_CHOICES and found.choices[0].id == "0"
    weaker = match(
        "ad", (Candidate("w", "Ama Dede"), Candidate("p", "Adam"), Candidate("q", "Adu"))
    )
    assert [c.id for c in weaker.choices] == ["p", "q", "w"]  # prefixes before initials


def test_words_fold_case_accents_and_punctuation() -> None:
    assert words("  Fátima-Zoë  O'BRIEN ") == ("fatima", "zoe", "o", "brien")
    assert words("İstanbul") == ("istanbul",)
    assert words("••6789") == ("6789",)


_LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúñüç"
_NAMES = st.lists(st.text(_LETTERS, min_size=1, max_size=8), min_size=1, max_size=3).map(" ".join)


@given(st.lists(_NAMES, min_size=1, max_size=6, unique_by=lambda n: "".join(words(n))))
def test_a_unique_full_name_matches_itself(names: list[str]) -> None:
    candidates = [Candidate(str(n), name) for n, name in enumerate(names)]
    for candidate in candidates:
        for typed in (candidate.name, candidate.name.upper(), f"  {candidate.name}. "):
            found = match(typed, candidates)
            assert found.unique == candidate and found.strength is Strength.EXACT


@given(_NAMES, st.lists(_NAMES, max_size=5), _NAMES)
def test_adding_a_candidate_never_makes_an_exact_match_ambiguous(
    name: str, others: list[str], added: str
) -> None:
    key = "".join(words(name))
    assume(all("".join(words(o)) != key for o in [*others, added]))
    candidates = [Candidate("me", name), *(Candidate(str(n), o) for n, o in enumerate(others))]
    before = match(name, candidates)
    after = match(name, [*candidates, Candidate("new", added)])
    assert before.unique == after.unique == candidates[0]


@given(st.text(max_size=20), st.lists(_NAMES, max_size=8))
def test_never_raises_and_never_offers_more_than_the_cap(query: str, names: list[str]) -> None:
    found = match(query, [Candidate(str(n), name) for n, name in enumerate(names)])
    assert len(found.choices) <= MAX_CHOICES
    assert not (found.unique and found.choices)
    assert found.total >= len(found.choices)


ACCOUNTS = account_candidates(
    [
        Account("0123456789", "C001", "savings", "USD", Decimal("2500.00")),
        Account("0222224321", "C001", "current", "USD", Decimal("740.25")),
        Account("0333331111", "C001", "savings", "USD", Decimal("10.00")),
    ]
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("current", ("0222224321",)),
        ("curr", ("0222224321",)),
        ("6789", ("0123456789",)),
        ("••6789", ("0123456789",)),
        ("savings ••6789", ("0123456789",)),
        ("savings", ("0123456789", "0333331111")),  # two savings accounts: a choice
        ("saving", ("0123456789", "0333331111")),
        ("wallet", ()),
    ],
)
def test_accounts_by_type_or_digits(typed: str, expected: tuple[str, ...]) -> None:
    found = match(typed, ACCOUNTS)
    ids = (found.unique.id,) if found.unique else tuple(c.id for c in found.choices)
    assert ids == expected


SAVED = payee_candidates(
    [
        Payee(1, "C001", "Chidi Okeke", "044", "0987654321"),
        Payee(2, "C001", "Kplc Otieno", "044", "0987654322"),
        Payee(3, "C001", "City Boys FC", "044", "0987654323"),
    ]
)
SEED_BILLERS = biller_candidates(
    [
        Biller("ELEC", "City Power", "Meter number", "^[0-9]{11}$"),
        Biller("KPLC", "Kenya Power", "Meter number", "^[0-9]{11}$"),
    ]
)


@pytest.mark.parametrize(
    ("text", "intent", "name"),
    [
        ("pay chidi 150", Intent.TRANSFER, "payee:1"),
        ("pay kplc 12345678901 50", Intent.BILL, "biller:KPLC"),  # the code beats a name's word
        ("pay city power 50", Intent.BILL, "biller:ELEC"),
        ("pay elec 01234567890", Intent.BILL, "biller:ELEC"),
        ("pay city 50", Intent.PAY, None),  # City Power or City Boys FC: the customer picks
        ("pay nobody 50", Intent.TRANSFER, None),  # not found: a new payee?
        ("pay nobody 12345678901 50", Intent.BILL, None),  # a reference: which biller?
    ],
)
def test_pay_is_a_transfer_or_a_bill(text: str, intent: Intent, name: str | None) -> None:
    request = parse(text)
    assert request is not None and request.intent is Intent.PAY
    resolved, found = resolve_pay(request, SAVED, SEED_BILLERS)
    assert resolved.intent is intent
    assert (found.unique.id if found.unique else None) == name
    if intent is Intent.PAY:
        picked = settle(resolved, found.choices[1])
        assert picked.intent is Intent.TRANSFER and picked.to == "city"
        assert settle(resolved, found.choices[0]).biller == "city"


def test_a_transfer_keeps_a_reference_it_has_no_use_for() -> None:
    request = parse("pay chidi 12345678901 50")
    assert request is not None
    resolved, _ = resolve_pay(request, SAVED, SEED_BILLERS)
    assert resolved.intent is Intent.TRANSFER and resolved.leftover == ("12345678901",)
    assert not resolved.understood
    with pytest.raises(ValueError, match="PAY"):
        resolve_pay(resolved, SAVED, SEED_BILLERS)
