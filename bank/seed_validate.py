"""What a valid bank seed is: every rule of the DESIGN.md seed format, checked section by section
so that one run reports every problem with its path (``customers[3].msisdn: not E.164``).
Cross-references (kyc levels, bank codes, payee accounts) and uniqueness (customer ids, numbers,
account numbers, card ids, national ids) are checked over the whole document. Public entry point:
``validate`` (re-exported by ``bank.seed``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bank.ports import SEGMENTS
from bank.seed_rules import Checker, SeedProblem, luhn_ok

CARD_STATUSES = {"active", "inactive", "locked", "cancelled"}
ACCOUNT_TYPES = {"savings", "current", "wallet"}
ACCOUNT_NUMBER = (r"[0-9]{10}", "must be 10 digits")
NATIONAL_ID = (r"[0-9]{8,15}", "must be 8-15 digits")
BANK_CODE = (r"[0-9]{3,6}", "must be 3-6 digits")
LONG_DIGITS = re.compile(r"[0-9]{7,}")  # looks like a full account, card or meter number


@dataclass
class _Seen:
    """What later checks refer back to, and what must be unique across the document."""

    currency: str | None = None
    own_code: str | None = None
    bank_codes: set[str] = field(default_factory=set)
    levels: set[int] = field(default_factory=set)
    unique: dict[str, dict[Any, str]] = field(default_factory=dict)
    own_payees: list[tuple[str, str]] = field(default_factory=list)  # (path, account number)

    def of(self, kind: str) -> dict[Any, str]:
        return self.unique.setdefault(kind, {})


def validate(doc: object, today: date | None = None) -> list[SeedProblem]:
    """Every problem in ``doc``, each with its path; an empty list means it can be loaded."""
    c = Checker(today or datetime.now(UTC).date())
    top = c.obj(
        doc, "$", {"bank", "kyc_levels", "customers"}, {"banks", "billers", "national_id_registry"}
    )
    if top is None:
        return c.problems
    seen = _Seen()
    _bank(c, seen, top)
    _levels(c, seen, top.get("kyc_levels"))
    for path, person in c.items(top.get("national_id_registry"), "national_id_registry"):
        if (entry := c.obj(person, path, {"national_id", "name", "dob"})) is not None:
            nid = c.matches(entry.get("national_id"), f"{path}.national_id", *NATIONAL_ID)
            c.unique(seen.of("national_id"), nid, f"{path}.national_id")
            c.text(entry.get("name"), f"{path}.name")
            c.past_date(entry.get("dob"), f"{path}.dob")
    for path, customer in c.items(top.get("customers"), "customers"):
        _customer(c, seen, customer, path)
    accounts = seen.of("account")
    for path, number in seen.own_payees:
        if number not in accounts:
            c.fail(path, "no such account at this bank")
    return c.problems


def _bank_contacts(c: Checker, bank: dict[str, Any]) -> None:
    """The optional clock, phone numbers and branches of the bank."""
    if "timezone" in bank and not is_timezone(bank["timezone"]):
        c.fail("bank.timezone", "not an IANA time zone such as Africa/Lagos")
    if "contacts" in bank and (
        contacts := c.obj(bank["contacts"], "bank.contacts", set(), {"phone", "fraud"})
    ):
        c.msisdn(contacts.get("phone"), "bank.contacts.phone")
        c.msisdn(contacts.get("fraud"), "bank.contacts.fraud")
    for path, branch in c.items(bank.get("branches"), "bank.branches"):
        if (entry := c.obj(branch, path, {"name", "address"})) is not None:
            c.text(entry.get("name"), f"{path}.name")
            c.text(entry.get("address"), f"{path}.address")


def is_timezone(value: object) -> bool:
    """An IANA time zone name this machine's tz database knows."""
    if not isinstance(value, str) or not value or value.startswith(("/", ".")):
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _bank(c: Checker, seen: _Seen, top: dict[str, Any]) -> None:
    optional = {"timezone", "contacts", "branches"}
    if (bank := c.obj(top.get("bank"), "bank", {"name", "currency", "code"}, optional)) is not None:
        c.text(bank.get("name"), "bank.name")
        seen.currency = c.currency(bank.get("currency"), "bank.currency")
        seen.own_code = c.matches(bank.get("code"), "bank.code", *BANK_CODE)
        c.unique(seen.of("bank_code"), seen.own_code, "bank.code")
        _bank_contacts(c, bank)
    for path, other in c.items(top.get("banks"), "banks"):
        if (entry := c.obj(other, path, {"code", "name"})) is not None:
            code = c.matches(entry.get("code"), f"{path}.code", *BANK_CODE)
            c.unique(seen.of("bank_code"), code, f"{path}.code")
            c.text(entry.get("name"), f"{path}.name")
    seen.bank_codes = set(seen.of("bank_code"))
    for path, biller in c.items(top.get("billers"), "billers"):
        keys = {"code", "name", "reference_label", "reference_pattern"}
        if (entry := c.obj(biller, path, keys)) is not None:
            c.unique(seen.of("biller"), c.text(entry.get("code"), f"{path}.code"), f"{path}.code")
            c.text(entry.get("name"), f"{path}.name")
            c.text(entry.get("reference_label"), f"{path}.reference_label")
            pattern = c.text(entry.get("reference_pattern"), f"{path}.reference_pattern")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error:
                    c.fail(f"{path}.reference_pattern", "not a valid regular expression")


def _levels(c: Checker, seen: _Seen, value: Any) -> None:
    levels = c.items(value, "kyc_levels")
    if isinstance(value, list) and not levels:
        c.fail("kyc_levels", "must list at least one level")
    for path, level in levels:
        keys = {"level", "per_transaction", "daily", "monthly"}
        if (entry := c.obj(level, path, keys)) is None:
            continue
        number = c.integer(entry.get("level"), f"{path}.level", minimum=1)
        c.unique(seen.of("level"), number, f"{path}.level")
        if number is not None:
            seen.levels.add(number)
        per_transaction, daily, monthly = (
            c.amount(entry.get(k), f"{path}.{k}") for k in ("per_transaction", "daily", "monthly")
        )
        if (
            per_transaction is not None
            and daily is not None
            and monthly is not None
            and not per_transaction <= daily <= monthly
        ):
            c.fail(path, "limits must satisfy per_transaction ≤ daily ≤ monthly")


def _customer(c: Checker, seen: _Seen, value: Any, path: str) -> None:
    required = {"customer_id", "name", "msisdn", "email", "dob", "national_id", "kyc_level"}
    optional = {"chat_banking", "segment", "accounts", "cards", "payees"}
    if (cust := c.obj(value, path, required, optional)) is None:
        return
    cid = c.matches(
        cust.get("customer_id"),
        f"{path}.customer_id",
        r"[A-Za-z0-9_-]{1,32}",
        "must be 1-32 letters, digits, _ or -",
    )
    c.unique(seen.of("customer_id"), cid, f"{path}.customer_id")
    c.text(cust.get("name"), f"{path}.name")
    c.unique(seen.of("msisdn"), c.msisdn(cust.get("msisdn"), f"{path}.msisdn"), f"{path}.msisdn")
    c.email(cust.get("email"), f"{path}.email")
    c.past_date(cust.get("dob"), f"{path}.dob")
    nid = c.matches(cust.get("national_id"), f"{path}.national_id", *NATIONAL_ID)
    c.unique(seen.of("national_id"), nid, f"{path}.national_id")
    level = c.integer(cust.get("kyc_level"), f"{path}.kyc_level", minimum=1)
    if level is not None and level not in seen.levels:
        c.fail(f"{path}.kyc_level", "not one of kyc_levels[].level")
    if "chat_banking" in cust and not isinstance(cust["chat_banking"], bool):
        c.fail(f"{path}.chat_banking", "must be true or false")
    if "segment" in cust and cust["segment"] not in SEGMENTS:
        c.fail(f"{path}.segment", f"one of: {', '.join(SEGMENTS)}")
    for apath, account in c.items(cust.get("accounts"), f"{path}.accounts"):
        _account(c, seen, account, apath)
    for kpath, card in c.items(cust.get("cards"), f"{path}.cards"):
        if (entry := c.obj(card, kpath, {"card_id", "pan", "status"})) is not None:
            card_id = c.text(entry.get("card_id"), f"{kpath}.card_id")
            c.unique(seen.of("card_id"), card_id, f"{kpath}.card_id")
            pan = c.matches(
                entry.get("pan"), f"{kpath}.pan", r"[0-9]{12,19}", "must be 12-19 digits"
            )
            if pan is not None and not luhn_ok(pan):
                c.fail(f"{kpath}.pan", "fails the Luhn check")
            c.one_of(entry.get("status"), f"{kpath}.status", CARD_STATUSES)
    for ppath, payee in c.items(cust.get("payees"), f"{path}.payees"):
        if (entry := c.obj(payee, ppath, {"name", "bank_code", "account_number"})) is not None:
            c.text(entry.get("name"), f"{ppath}.name")
            number = c.matches(
                entry.get("account_number"), f"{ppath}.account_number", *ACCOUNT_NUMBER
            )
            code = entry.get("bank_code")
            if code is not None and (not isinstance(code, str) or code not in seen.bank_codes):
                c.fail(f"{ppath}.bank_code", "not bank.code or any banks[].code")
            elif code is not None and code == seen.own_code and number is not None:
                seen.own_payees.append((f"{ppath}.account_number", number))


def _account(c: Checker, seen: _Seen, value: Any, path: str) -> None:
    keys = {"number", "type", "currency", "balance"}
    if (account := c.obj(value, path, keys, {"transactions"})) is None:
        return
    number = c.matches(account.get("number"), f"{path}.number", *ACCOUNT_NUMBER)
    c.unique(seen.of("account"), number, f"{path}.number")
    c.one_of(account.get("type"), f"{path}.type", ACCOUNT_TYPES)
    currency = c.currency(account.get("currency"), f"{path}.currency")
    if currency is not None and seen.currency is not None and currency != seen.currency:
        c.fail(f"{path}.currency", "must be bank.currency (the demo bank holds one currency)")
    balance = c.amount(account.get("balance"), f"{path}.balance")
    history: list[tuple[date, Decimal]] = []
    lines = c.items(account.get("transactions"), f"{path}.transactions")
    for tpath, line in lines:
        keys = {"date", "amount", "description"}
        if (entry := c.obj(line, tpath, keys, {"counterparty"})) is None:
            continue
        day = c.past_date(entry.get("date"), f"{tpath}.date")
        amount = c.amount(entry.get("amount"), f"{tpath}.amount", signed=True)
        for key in ("description", "counterparty"):
            text = c.text(entry.get(key), f"{tpath}.{key}")
            if text is not None and LONG_DIGITS.search(text):
                c.fail(f"{tpath}.{key}", "must not hold a full account or card number")
        if day is not None and amount is not None:
            history.append((day, amount))
    if balance is None or len(history) != len(lines):
        return
    # The balance is today's; replaying the history from the implied opening balance (in date
    # order, as the loader posts it) must never go below zero.
    running = balance - sum((amount for _, amount in history), Decimal(0))
    for step in [Decimal(0), *(amount for _, amount in sorted(history, key=lambda i: i[0]))]:
        running += step
        if running < 0:
            c.fail(f"{path}.transactions", "the history would take the balance below zero")
            return
