"""PIN policy and secret hashing (SECURITY.md 7-8).

A PIN is 6-12 digits and must not be a sequence, a repeat, a common PIN, or derived from the
customer's phone number or date of birth. Secrets (PINs, security answers) are stored as argon2id
over HMAC-SHA256(pepper, secret): the pepper comes from configuration, never from Redis, so a dump
of Redis alone can't test a guess. Dates of birth are never stored: only peppered fingerprints of
the PINs they would suggest, so a later PIN change can still refuse them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Collection, Iterable
from datetime import date

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from auth.page_texts import say

PIN_MIN, PIN_MAX = 6, 12
# OWASP's argon2id floor: 46 MiB (47,104 KiB), 1 pass, 1 lane.
ARGON2_MEMORY_KIB = 47_104
ARGON2_TIME_COST = 1
ARGON2_PARALLELISM = 1

# The most used 6-digit PINs that the sequence and repeat rules don't already catch.
COMMON_PINS = frozenset(
    {
        "121212", "112233", "123123", "159753", "147258", "258369", "123321", "131313",
        "696969", "101010", "007007", "000007", "111222", "102030", "112211", "252525",
        "147852", "159357", "142536", "000123", "123654", "789456", "654123", "998877",
        "232323", "212121", "520520", "520131", "100200", "999666", "777888", "456123",
    }
)  # fmt: skip


def _is_sequence(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})  # 123456, 890123, 654321, 210987


def _is_repeat(pin: str) -> bool:
    """All one digit, or a shorter block repeated (121212, 123123, 112112)."""
    n = len(pin)
    return any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(1, n // 2 + 1))


def _phone_fragments(msisdn: str, length: int) -> set[str]:
    digits = "".join(ch for ch in msisdn if ch.isdigit())
    return {digits[i : i + length] for i in range(0, len(digits) - length + 1)}


def dob_pins(dob: date) -> set[str]:
    """The 6- and 8-digit PINs a date of birth suggests (day, month and year in common orders)."""
    d, m, y, yy = f"{dob.day:02d}", f"{dob.month:02d}", f"{dob.year:04d}", f"{dob.year % 100:02d}"
    return {
        d + m + yy, m + d + yy, yy + m + d, yy + d + m,
        d + m + y, m + d + y, y + m + d, y + d + m,
    }  # fmt: skip


def pin_problems(pin: str, *, msisdn: str, is_dob_pin: bool = False) -> list[str]:
    """Every reason ``pin`` is refused, as messages for the customer in the current language;
    empty when it is fine."""
    if not (pin.isascii() and pin.isdigit()):
        return [say("problem.pin.digits_only")]
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return [say("problem.pin.length", min=PIN_MIN, max=PIN_MAX)]
    problems: list[str] = []
    if _is_repeat(pin):
        problems.append(say("problem.pin.repeat"))
    if _is_sequence(pin):
        problems.append(say("problem.pin.sequence"))
    if pin in COMMON_PINS:
        problems.append(say("problem.pin.common"))
    # Any 6-digit run of the PIN that is also a run of the number (so longer PINs too).
    fragments = _phone_fragments(msisdn, PIN_MIN)
    if any(pin[i : i + PIN_MIN] in fragments for i in range(len(pin) - PIN_MIN + 1)):
        problems.append(say("problem.pin.phone"))
    if is_dob_pin:
        problems.append(say("problem.pin.dob"))
    return problems


class SecretHasher:
    """argon2id over a peppered HMAC. ``verify`` fails closed: anything unreadable is False.

    During a rotation of ``PIN_PEPPER`` the previous pepper is kept too: new hashes use the
    current one only; a hash made with the previous one still verifies, and ``needs_rehash``
    tells the caller to store a new hash (the secret is in hand only at that moment). While a
    previous pepper is set every check tries both, whether the first matched or not, so the time
    a check takes says nothing about which pepper a hash was made with or whether it exists.
    """

    def __init__(
        self,
        pepper: str,
        *,
        previous: str | None = None,
        memory_kib: int = ARGON2_MEMORY_KIB,
        time_cost: int = ARGON2_TIME_COST,
        parallelism: int = ARGON2_PARALLELISM,
    ) -> None:
        self._pepper = pepper.encode()
        self._previous = previous.encode() if previous else None
        self._argon = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified when the stored hash is missing, so "no such customer" costs the same time.
        self._dummy = self._argon.hash("not-a-real-secret")

    @property
    def rotating(self) -> bool:
        """True while a previous pepper is configured."""
        return self._previous is not None

    def _peppered(self, purpose: str, secret: str, pepper: bytes | None = None) -> str:
        mac = hmac.new(pepper or self._pepper, f"{purpose}\0{secret}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def hash(self, purpose: str, secret: str) -> str:
        return self._argon.hash(self._peppered(purpose, secret))

    def _matches(self, stored: str, candidate: str) -> bool:
        try:
            return self._argon.verify(stored, candidate)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def check(self, stored: str | None, purpose: str, secret: str) -> tuple[bool, bool]:
        """(matches, needs_rehash): needs_rehash when it matched the previous pepper only (or
        under older argon2 parameters), so the caller stores ``hash(purpose, secret)`` now."""
        current = self._matches(stored or self._dummy, self._peppered(purpose, secret))
        old = False
        if self._previous is not None:
            old = self._matches(
                stored or self._dummy, self._peppered(purpose, secret, self._previous)
            )
        if stored is None or not (current or old):
            return False, False
        # A hash that verified parses, so check_needs_rehash can't raise here.
        return True, (old and not current) or self._argon.check_needs_rehash(stored)

    def verify(self, stored: str | None, purpose: str, secret: str) -> bool:
        return self.check(stored, purpose, secret)[0]

    def fingerprint(self, purpose: str, value: str) -> str:
        """A fast peppered digest, for values only compared for equality (never a PIN itself)."""
        return self._peppered(purpose, value)

    def fingerprints(self, purpose: str, value: str) -> tuple[str, ...]:
        """The value's digest under the current pepper and, while rotating, the previous one:
        what a lookup of a stored fingerprint must try."""
        if self._previous is None:
            return (self._peppered(purpose, value),)
        return self._peppered(purpose, value), self._peppered(purpose, value, self._previous)

    def dob_marks(self, dob: date) -> list[str]:
        return sorted(self.fingerprint("dob-pin", pin) for pin in dob_pins(dob))

    def is_dob_pin(self, pin: str, marks: Collection[str]) -> bool:
        """True when the PIN, or any 6- or 8-digit run inside it, is a date-of-birth PIN."""
        runs: Iterable[str] = (
            pin[i : i + n] for n in (6, 8) for i in range(0, max(len(pin) - n + 1, 0))
        )
        return any(mark in marks for run in runs for mark in self.fingerprints("dob-pin", run))
