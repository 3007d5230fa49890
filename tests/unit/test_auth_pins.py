"""The PIN policy, security-answer and chat-banking-ID rules, and the peppered argon2id hasher
(SECURITY.md 7-8): what is refused and why, and that a stored hash is useless without the pepper.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from hypothesis import given
from hypothesis import strategies as st

from auth.pins import ARGON2_MEMORY_KIB, COMMON_PINS, SecretHasher, dob_pins, pin_problems
from auth.questions import QUESTIONS, answer_problems, normalise
from auth.stores.credentials import login_id_problems

AMINA = "+2348030000001"
AMINA_DOB = date(1990, 4, 12)
GOOD_PIN = "495817"

DIGITS_ONLY = "Use digits only."
LENGTH = "Use 6 to 12 digits."
REPEAT = "Don't repeat the same digit or pattern."
SEQUENCE = "Don't use digits in a row, such as 123456."
COMMON = "That PIN is one of the most common: choose a less guessable one."
PHONE = "Don't use part of your phone number."
DOB = "Don't use your date of birth."


@pytest.fixture(scope="module")
def hasher() -> SecretHasher:
    return SecretHasher("pepper-one")


# --- the PIN policy ---


@pytest.mark.parametrize("pin", [GOOD_PIN, "730518", "495817305162", "2958174"])
def test_acceptable_pins(pin: str) -> None:
    assert pin_problems(pin, msisdn=AMINA) == []


@pytest.mark.parametrize(
    "pin",
    [
        "123456",  # ascending
        "654321",  # descending
        "890123",  # ascending, wrapping past 9
        "210987",  # descending, wrapping past 0
        "0123456789",
        "123456789012",
        "987654321098",
    ],
)
def test_sequences_are_refused(pin: str) -> None:
    assert SEQUENCE in pin_problems(pin, msisdn=AMINA)


@pytest.mark.parametrize(
    "pin", ["000000", "999999", "111111111111", "121212", "123123", "112112", "12341234", "909090"]
)
def test_repeats_and_repeated_blocks_are_refused(pin: str) -> None:
    assert REPEAT in pin_problems(pin, msisdn=AMINA)


def test_near_repeats_are_not_called_repeats() -> None:
    assert REPEAT not in pin_problems("121213", msisdn=AMINA)
    assert REPEAT not in pin_problems("1231234", msisdn=AMINA)


@pytest.mark.parametrize("pin", ["147258", "159753", "112233", "520131", "123654"])
def test_common_pins_are_refused(pin: str) -> None:
    assert pin in COMMON_PINS
    assert COMMON in pin_problems(pin, msisdn=AMINA)


@pytest.mark.parametrize("pin", ["348030", "803000", "2348030000", "030000001"])
def test_phone_number_fragments_are_refused(pin: str) -> None:
    assert PHONE in pin_problems(pin, msisdn=AMINA)


def test_phone_fragments_belong_to_that_customer_only() -> None:
    assert PHONE not in pin_problems("803000", msisdn="+447700900123")
    # A formatted number is reduced to its digits first.
    assert PHONE in pin_problems("770090", msisdn="whatsapp:+44 7700 900123")


@pytest.mark.parametrize(
    "pin",
    ["12345a", "49581 7", " 495817", "495817\n", "４９５８１７", "٤٩٥٨١٧", "-495817", ""],
)
def test_anything_but_ascii_digits_is_refused(pin: str) -> None:
    assert pin_problems(pin, msisdn=AMINA) == [DIGITS_ONLY]


@pytest.mark.parametrize(
    ("pin", "accepted"),
    [("49581", False), ("495817", True), ("495817305162", True), ("4958173051627", False)],
)
def test_lengths(pin: str, accepted: bool) -> None:
    assert pin_problems(pin, msisdn=AMINA) == ([] if accepted else [LENGTH])


def test_every_problem_is_reported_at_once() -> None:
    problems = pin_problems("121212", msisdn="+2341212120000", is_dob_pin=True)
    assert problems == [REPEAT, COMMON, PHONE, DOB]


def test_dob_pins_cover_the_common_orders() -> None:
    assert dob_pins(AMINA_DOB) == {
        "120490",
        "041290",
        "900412",
        "901204",
        "12041990",
        "04121990",
        "19900412",
        "19901204",
    }


@pytest.mark.parametrize(
    "pin",
    ["120490", "041290", "900412", "12041990", "19900412", "7120490", "5512041990", "3190041289"],
)
def test_dob_derived_pins_are_refused(hasher: SecretHasher, pin: str) -> None:
    marks = hasher.dob_marks(AMINA_DOB)
    assert hasher.is_dob_pin(pin, marks)
    assert DOB in pin_problems(pin, msisdn=AMINA, is_dob_pin=hasher.is_dob_pin(pin, marks))


def test_dob_marks_hold_no_date(hasher: SecretHasher) -> None:
    marks = hasher.dob_marks(AMINA_DOB)
    assert len(marks) == 8
    text = " ".join(marks)
    for fragment in ("1990", "120490", "19900412", "0412"):
        assert fragment not in text
    assert all(re.fullmatch(r"[0-9a-f]{64}", mark) for mark in marks)
    # Peppered: another pepper gives other marks, so they can't be precomputed from dates.
    assert (
        set(SecretHasher("pepper-two", memory_kib=8, time_cost=1).dob_marks(AMINA_DOB)) & set(marks)
        == set()
    )


def test_other_dates_and_short_pins_are_not_dob_pins(hasher: SecretHasher) -> None:
    marks = hasher.dob_marks(AMINA_DOB)
    assert not hasher.is_dob_pin(GOOD_PIN, marks)
    assert not hasher.is_dob_pin("12049", marks)
    assert not hasher.is_dob_pin("3194041289", marks)  # no 6- or 8-digit run is a DOB order
    assert not hasher.is_dob_pin("120490", hasher.dob_marks(date(1991, 4, 12)))
    assert not hasher.is_dob_pin("120490", [])


@given(st.one_of(st.text(alphabet="0123456789", min_size=0, max_size=14), st.text(max_size=14)))
def test_any_accepted_pin_is_6_to_12_digits_and_no_repeat(pin: str) -> None:
    if pin_problems(pin, msisdn=AMINA) == []:
        assert pin.isascii() and pin.isdigit()
        assert 6 <= len(pin) <= 12
        assert len(set(pin)) > 1
        assert not any(
            len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size)
            for size in range(1, len(pin) // 2 + 1)
        )
        assert pin not in COMMON_PINS


# --- security answers ---


@pytest.mark.parametrize(
    ("given_answer", "stored"),
    [
        ("  Queens   College ", "queens college"),
        ("QUEENS-COLLEGE", "queens college"),
        ("queens_college!", "queens college"),
        ("ＢＩＮＧＯ", "bingo"),
        ("Straße", "strasse"),
        ("St. Mary's", "st marys"),
        ("St Mary’s", "st marys"),
    ],
)
def test_answers_are_normalised(given_answer: str, stored: str) -> None:
    assert normalise(given_answer) == normalise(stored)


def test_different_answers_stay_different() -> None:
    assert normalise("Queens College") != normalise("Kings College")


def test_answer_problems() -> None:
    good = {"q1": "Queens College", "q3": "Bingo", "q6": "Allen Avenue"}
    assert answer_problems(good) == []
    assert answer_problems({"q1": "Queens College", "q3": "Bingo"}) == [
        "Choose 3 different questions."
    ]
    assert answer_problems({**good, "q7": "Mrs Ade"}) == ["Choose 3 different questions."]
    assert answer_problems({"q1": "a", "q3": "Bingo", "q11": "x y"})[0] == (
        "Choose 3 different questions."
    )
    assert answer_problems({"q1": "A", "q3": "Bingo", "q6": "Allen"}) == [
        "Give each answer 2 to 60 letters or digits."
    ]
    assert answer_problems({"q1": "!!", "q3": "Bingo", "q6": "Allen"}) == [
        "Give each answer 2 to 60 letters or digits."
    ]
    assert answer_problems({"q1": "x" * 61, "q3": "Bingo", "q6": "Allen"}) == [
        "Give each answer 2 to 60 letters or digits."
    ]
    assert answer_problems({"q1": "Bingo", "q3": "bingo!", "q6": "Allen"}) == [
        "Give a different answer to each question."
    ]
    assert len(QUESTIONS) == 10


# --- the chat-banking ID ---


@pytest.mark.parametrize("login_id", ["amina.y", "Amina_Yusuf-90", "abcdef", "a" * 20, "12345678"])
def test_acceptable_login_ids(login_id: str) -> None:
    assert login_id_problems(login_id, AMINA) == []


@pytest.mark.parametrize(
    "login_id", ["ab", "abcde", "a" * 21, "amina y", "amïna1", "amina@bank", "", "amina/1"]
)
def test_malformed_login_ids(login_id: str) -> None:
    assert login_id_problems(login_id, AMINA) == [
        "Use 6 to 20 letters, digits, dots, dashes or underscores."
    ]


@pytest.mark.parametrize("login_id", ["2348030000001", "08030000001", "8030000001", "030000001"])
def test_the_phone_number_is_not_an_id(login_id: str) -> None:
    assert login_id_problems(login_id, AMINA) == ["Don't use your phone number as your ID."]


# --- the hasher ---


def test_hash_and_verify_round_trip(hasher: SecretHasher) -> None:
    stored = hasher.hash("pin", GOOD_PIN)
    assert hasher.verify(stored, "pin", GOOD_PIN)
    assert not hasher.verify(stored, "pin", "730518")
    assert not hasher.verify(stored, "answer:q1", GOOD_PIN)  # bound to its purpose
    assert GOOD_PIN not in stored


def test_the_hash_is_argon2id_with_enough_memory(hasher: SecretHasher) -> None:
    stored = hasher.hash("pin", GOOD_PIN)
    found = re.match(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert found, stored
    assert int(found.group(1)) >= 47_104 == ARGON2_MEMORY_KIB
    assert int(found.group(2)) >= 1


def test_hashes_are_salted(hasher: SecretHasher) -> None:
    assert hasher.hash("pin", GOOD_PIN) != hasher.hash("pin", GOOD_PIN)


def test_a_dump_of_redis_alone_cant_test_a_pin(hasher: SecretHasher) -> None:
    stored = hasher.hash("pin", GOOD_PIN)
    other_pepper = SecretHasher("pepper-two")
    assert not other_pepper.verify(stored, "pin", GOOD_PIN)
    # Nor does plain argon2 over the PIN itself: the pepper's HMAC is inside.
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, GOOD_PIN)


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$m=8,t=1,p=1$xx$yy"])
def test_verify_fails_closed(hasher: SecretHasher, stored: str | None) -> None:
    assert hasher.verify(stored, "pin", GOOD_PIN) is False


def test_fingerprint_is_peppered_and_stable(hasher: SecretHasher) -> None:
    assert hasher.fingerprint("dob-pin", "120490") == hasher.fingerprint("dob-pin", "120490")
    assert hasher.fingerprint("dob-pin", "120490") != hasher.fingerprint("other", "120490")
