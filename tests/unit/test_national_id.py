"""The demo national ID verifier: the format, and name and date of birth matched against the
registry whatever the case, accents, punctuation or order of the name's parts."""

from __future__ import annotations

from datetime import date

import pytest

from bank.national_id import (
    FaceCheck,
    IdCheck,
    Person,
    RegistryVerifier,
    name_parts,
    normalise_nin,
)

REGISTRY = {"29876543210": ("Bola Ade", date(2001, 9, 30))}
verifier = RegistryVerifier(REGISTRY.get)


@pytest.mark.parametrize("name", ["Bola Ade", "ADE BOLA", "Ade, Bola", "  bólá   adé ", "Bola-Ade"])
def test_the_name_matches_whatever_its_form(name: str) -> None:
    person = Person(name, date(2001, 9, 30), "29876543210")
    assert verifier.check_national_id(person) is IdCheck.MATCH


@pytest.mark.parametrize(
    ("name", "dob", "nin"),
    [
        ("Bola", date(2001, 9, 30), "29876543210"),  # a part missing
        ("Bola Ade Musa", date(2001, 9, 30), "29876543210"),  # a part more
        ("Bola Ade", date(2001, 9, 29), "29876543210"),  # another day
        ("Bola Ade", date(2001, 9, 30), "29876543219"),  # no such NIN
    ],
)
def test_anything_else_is_a_mismatch(name: str, dob: date, nin: str) -> None:
    assert verifier.check_national_id(Person(name, dob, nin)) is IdCheck.MISMATCH


@pytest.mark.parametrize("nin", ["2987654321", "298765432100", "2987654321a", ""])
def test_a_malformed_nin_is_refused_before_any_look_up(nin: str) -> None:
    looked_up: list[str] = []

    def lookup(number: str) -> tuple[str, date] | None:
        looked_up.append(number)
        return None

    result = RegistryVerifier(lookup).check_national_id(Person("Bola Ade", date(2001, 9, 30), nin))
    assert result is IdCheck.BAD_FORMAT and looked_up == []


def test_helpers() -> None:
    assert normalise_nin(" 298-7654 3210 ") == "29876543210"
    assert name_parts("Ngozi  O'Neil-Ébère") == ("ebere", "neil", "ngozi", "o")


def test_the_face_match_hook_asks_for_manual_review() -> None:
    assert verifier.face_match("29876543210", b"jpeg") is FaceCheck.MANUAL_REVIEW
