"""Reading what staff typed into the KYC forms (or sent as a change's ``after``) into typed
values, or into problems, each starting with its field.

Amounts are plain decimals in the bank's currency: ``1000``, ``1000.50`` or grouped
``1,000.50``; no sign, exponent or currency. A reason is required for every KYC change (the
audit keeps it, the approver reads it): plain words, at most ``MAX_REASON`` characters, and no
run of 8 digits or more — a full account, card or ID number has no place in the audit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

MAX_REASON = 500
PLAIN = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")
GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3}){1,4}(\.[0-9]{1,2})?")
LONG_DIGITS = re.compile(r"[0-9]{8,}")  # an account, card, national ID or phone number
WHOLE = re.compile(r"[0-9]{1,6}")
VERSION = re.compile(r"[0-9]{1,12}")  # a level's fingerprint has up to 10 digits


def amount_text(raw: object) -> str:
    """A typed amount made canonical (``"1,000.5"`` → ``"1000.50"``); text that isn't an
    amount comes back stripped, as it was, for ``amount`` to refuse beside its field."""
    text = raw.strip() if isinstance(raw, str) else ""
    if GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if PLAIN.fullmatch(text):
        return f"{Decimal(text):.2f}"
    return text if isinstance(raw, str) else ""


def amount(after: Mapping[str, Any], name: str, problems: list[str]) -> Decimal | None:
    """``after[name]`` as an amount more than 0 with at most 2 decimals, or a problem."""
    raw = after.get(name)
    if not isinstance(raw, str) or not raw.strip():
        problems.append(f"{name}: required, an amount such as 1000.00")
        return None
    text = amount_text(raw)
    if not PLAIN.fullmatch(text) or Decimal(text) <= 0:
        problems.append(f"{name}: more than 0, at most 2 decimals, such as 1000.00")
        return None
    return Decimal(text)


def whole(raw: object) -> int | None:
    """A whole number from a form's text or a JSON number (None: it is not one)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and WHOLE.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


def version(raw: object) -> int | None:
    """The version a form was made from (its hidden field), or None when it sent none."""
    if isinstance(raw, str) and VERSION.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


def reason(after: Mapping[str, Any], problems: list[str]) -> str:
    """The change's reason, stripped, or a problem."""
    raw = after.get("reason")
    text = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not text:
        problems.append("reason: required: say why, for the audit and the approving admin")
    elif len(text) > MAX_REASON:
        problems.append(f"reason: at most {MAX_REASON} characters")
    elif LONG_DIGITS.search(text):
        problems.append(
            "reason: no account, card, ID or phone numbers (8 digits or more in a row): the "
            "audit keeps this text; a case or ticket reference is fine"
        )
    return text


def unknown(after: Mapping[str, Any], known: tuple[str, ...], problems: list[str]) -> None:
    for name in sorted(set(after) - set(known)):
        problems.append(f"{name}: unknown field; use {', '.join(known)}")
