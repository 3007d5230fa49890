"""The building blocks of seed validation: a problem with its path, and a checker that records
every problem instead of stopping at the first. Each check returns the parsed value when it is
good and ``None`` after recording a problem, so callers can keep going (and skip only the checks
that depend on the bad value). Messages never echo the value itself: a seed holds dates of birth,
national ids and full account and card numbers, and problems are printed and logged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers

from bank.money import MAX_CENTS

_UNSIGNED = re.compile(r"[0-9]{1,16}(\.[0-9]{1,2})?")
_SIGNED = re.compile(r"-?[0-9]{1,16}(\.[0-9]{1,2})?")
# Deliberately simple: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class SeedProblem:
    path: str  # e.g. "customers[3].msisdn", "$" for the document itself
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def join(path: str, key: str) -> str:
    """``customers[0]`` + ``name`` → ``customers[0].name``; a key that isn't a plain name (empty,
    spaces, dots) is quoted, ``bank[""]``, so every problem's path points somewhere."""
    if not _PLAIN_KEY.fullmatch(key):
        quoted = json.dumps(key, ensure_ascii=False)
        return f"[{quoted}]" if path == "$" else f"{path}[{quoted}]"
    return key if path == "$" else f"{path}.{key}"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class Checker:
    """Collects SeedProblems; ``today`` bounds dates (a parameter, so tests can pin it)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[SeedProblem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(SeedProblem(path, message))

    def obj(
        self, value: Any, path: str, required: set[str], optional: set[str] | None = None
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        for key in sorted(required - value.keys()):
            self.fail(join(path, key), "required")
        for key in sorted(value.keys() - required - (optional or set())):
            self.fail(join(path, str(key)), "unknown field")
        # A null is no value: the checks below read None as "missing", and the loader can't
        # store it, so it is refused here, where the path is known.
        for key in sorted(k for k in value.keys() & required if value[k] is None):
            self.fail(join(path, key), "required (null is not a value)")
        for key in sorted(k for k in value.keys() & (optional or set()) if value[k] is None):
            self.fail(join(path, key), "must not be null: leave the field out instead")
        return value

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        """Each element with its path; a missing optional list is empty."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]

    def text(self, value: Any, path: str) -> str | None:
        if value is None:
            return None  # reported as "required" by obj()
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be a non-empty string")
            return None
        return value

    def matches(self, value: Any, path: str, pattern: str, message: str) -> str | None:
        text = self.text(value, path)
        if text is not None and not re.fullmatch(pattern, text):
            self.fail(path, message)
            return None
        return text

    def amount(self, value: Any, path: str, signed: bool = False) -> Decimal | None:
        """A decimal string with at most 2 decimals: ≥ 0, or (``signed``) non-zero."""
        if value is None:
            return None
        rule = _SIGNED if signed else _UNSIGNED
        if not isinstance(value, str) or not rule.fullmatch(value):
            kind = 'a non-zero decimal string like "-25.00"' if signed else '"1500.00"'
            self.fail(path, f"must be a decimal string like {kind} (at most 2 decimals)")
            return None
        amount = Decimal(value)
        if abs(amount) * 100 > MAX_CENTS:
            self.fail(path, "too large")
            return None
        if signed and amount == 0:
            self.fail(path, "must not be zero")
            return None
        return amount

    def currency(self, value: Any, path: str) -> str | None:
        return self.matches(value, path, r"[A-Z]{3}", "not a currency code (3 uppercase letters)")

    def integer(self, value: Any, path: str, minimum: int = 0) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(path, f"must be a whole number ≥ {minimum}")
            return None
        return value

    def msisdn(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        try:
            number = phonenumbers.parse(value, None) if isinstance(value, str) else None
        except phonenumbers.NumberParseException:
            number = None
        # Valid for its country *and* written exactly in E.164 (no spaces, no national form).
        if (
            number is None
            or not phonenumbers.is_valid_number(number)
            or phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value
        ):
            self.fail(path, "not E.164")
            return None
        return str(value)

    def email(self, value: Any, path: str) -> str | None:
        return self.matches(value, path, _EMAIL.pattern, "not an email address")

    def past_date(self, value: Any, path: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            self.fail(path, "not a date (YYYY-MM-DD)")
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.fail(path, "not a date (YYYY-MM-DD)")
            return None
        if day > self.today:
            self.fail(path, "in the future")
            return None
        return day

    def one_of(self, value: Any, path: str, choices: set[str]) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in choices:
            self.fail(path, f"must be one of {', '.join(sorted(choices))}")
            return None
        return str(value)

    def unique(self, seen: dict[Any, str], value: Any, path: str) -> None:
        """Report a value already seen, naming the path where it was first seen."""
        if not isinstance(value, str | int):  # None, or already reported as the wrong type
            return
        if value in seen:
            self.fail(path, f"duplicate of {seen[value]}")
        else:
            seen[value] = path
