"""The national ID check a new wallet needs: the ``KycVerifier`` port and its demo adapter.

A person opening a wallet types their full name, date of birth and national ID number (NIN);
the verifier says whether a national ID service holds that NIN for that name and date of birth.
The demo adapter (``RegistryVerifier``) answers from the seed's ``national_id_registry``, which
the demo bank keeps in its ``id_registry`` table; a real adapter would call the country's
national ID service (NIMC in Nigeria, for instance) with the same three facts and map its
answer to ``IdCheck``.

Names are compared normalised: case, accents, punctuation, spacing and the order of the parts
don't matter ("ADE, Bola" is "Bola Ade"; "Bólá" is "Bola"), but every part must be there. The
date of birth must be the same day. The check fails closed: an unknown NIN is a mismatch.

The port also carries the face-match / liveness hook a KYC upgrade may use (a selfie against
the ID's photo); the demo adapter can't compare faces, so it always asks for manual review.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

# The national ID number's shape: the 11 digits of Nigeria's NIN (the seed's format).
NIN_PATTERN = re.compile(r"[0-9]{11}")


class IdCheck(StrEnum):
    MATCH = "match"  # the registry holds this NIN for this name and date of birth
    MISMATCH = "mismatch"  # unknown NIN, or a name or date of birth that isn't the record's
    BAD_FORMAT = "bad_format"  # not a national ID number at all: nothing was asked


class FaceCheck(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    MANUAL_REVIEW = "manual_review"  # a person at the bank must compare the photos


@dataclass(frozen=True)
class Person:
    """What the person typed on the onboarding page (never logged: it is PII)."""

    name: str
    dob: date
    national_id: str


class KycVerifier(Protocol):
    """Checks who someone says they are against the national ID service."""

    def check_national_id(self, person: Person) -> IdCheck:
        """MATCH only when the NIN exists and its name and date of birth are the person's."""
        ...

    def face_match(self, national_id: str, photo: bytes) -> FaceCheck:
        """Compare a live photo with the ID's photo (liveness included)."""
        ...


def nin_format_ok(text: str) -> bool:
    return bool(NIN_PATTERN.fullmatch(text))


def normalise_nin(text: str) -> str:
    """The digits as typed, without the spaces or dashes people put in long numbers."""
    return re.sub(r"[\s\-]", "", text)


def name_parts(name: str) -> tuple[str, ...]:
    """A name as sorted, accent-free, case-folded parts: the form two names are compared in."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(sorted(part for part in re.split(r"[^\w]+|_", plain.casefold()) if part))


def same_person(record_name: str, record_dob: date, person: Person) -> bool:
    """The registry's record and what was typed name the same person (constant-time compare)."""
    typed = "|".join(name_parts(person.name)) + "#" + person.dob.isoformat()
    held = "|".join(name_parts(record_name)) + "#" + record_dob.isoformat()
    return hmac.compare_digest(typed.encode(), held.encode())


# A registry look-up: the (name, date of birth) held for a NIN, or None.
Lookup = Callable[[str], tuple[str, date] | None]


@dataclass(frozen=True)
class RegistryVerifier:
    """The demo adapter: the seed's ``national_id_registry`` stands in for the national service."""

    lookup: Lookup

    def check_national_id(self, person: Person) -> IdCheck:
        if not nin_format_ok(person.national_id):
            return IdCheck.BAD_FORMAT
        record = self.lookup(person.national_id)
        if record is None:
            return IdCheck.MISMATCH
        return IdCheck.MATCH if same_person(*record, person) else IdCheck.MISMATCH

    def face_match(self, national_id: str, photo: bytes) -> FaceCheck:
        # The demo has no face service: a person at the bank compares the photos.
        return FaceCheck.MANUAL_REVIEW
