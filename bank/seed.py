"""Loading a bank seed file (``BANK_SEED``, ``flask bank load FILE``): validate everything,
report every problem with its path (``customers[3].msisdn: not E.164``), load all or nothing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import phonenumbers

from bank.demo import SqliteBank

CARD_STATUSES = {"active", "inactive", "locked", "cancelled"}
ACCOUNT_TYPES = {"savings", "current", "wallet"}
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class SeedProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def cents(value: str) -> int:
    return int(Decimal(value) * 100)


class SeedError(Exception):
    """The seed was refused; ``problems`` lists every reason with its path."""

    def __init__(self, problems: list[SeedProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class LoadSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in self.counts.items())


def luhn_ok(pan: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(pan)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


class _Checker:
    def __init__(self) -> None:
        self.problems: list[SeedProblem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(SeedProblem(path, message))

    def obj(
        self,
        value: Any,
        path: str,
        required: set[str],
        optional: frozenset[str] | set[str] = frozenset(),
    ) -> bool:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return False
        for key in sorted(required - value.keys()):
            self.fail(f"{path}.{key}" if path != "$" else key, "required")
        for key in sorted(value.keys() - required - optional):
            self.fail(f"{path}.{key}" if path != "$" else key, "unknown field")
        return True

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def text(self, value: Any, path: str, pattern: str | None = None, what: str = "") -> bool:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be a non-empty string")
            return False
        if pattern and not re.fullmatch(pattern, value):
            self.fail(path, what or f"must match {pattern}")
            return False
        return True

    def amount(self, value: Any, path: str) -> Decimal | None:
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            self.fail(path, 'must be a decimal string like "1500.00" (≥ 0, at most 2 decimals)')
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            self.fail(path, "not a decimal")
            return None

    def msisdn(self, value: Any, path: str) -> None:
        ok = isinstance(value, str) and bool(re.fullmatch(r"\+[1-9][0-9]{6,14}", value))
        try:
            ok = ok and bool(phonenumbers.is_valid_number(phonenumbers.parse(value)))
        except phonenumbers.NumberParseException:
            ok = False
        if not ok:
            self.fail(path, "not E.164")

    def past_date(self, value: Any, path: str) -> None:
        try:
            if date.fromisoformat(value) > date.today():
                self.fail(path, "is in the future")
        except (TypeError, ValueError):
            self.fail(path, "must be a date YYYY-MM-DD")

    def unique(self, seen: dict[str, str], value: Any, path: str) -> None:
        if isinstance(value, str):
            if value in seen:
                self.fail(path, f"duplicate of {seen[value]}")
            else:
                seen[value] = path


def validate(doc: object) -> list[SeedProblem]:
    """Every problem in ``doc``, each with its path; an empty list means it can be loaded."""
    c = _Checker()
    top = {"bank", "customers", "kyc_levels"}
    if not c.obj(doc, "$", top, {"banks", "billers", "national_id_registry"}):
        return c.problems
    assert isinstance(doc, dict)
    bank_codes: set[str] = set()
    bank = doc.get("bank")
    if (
        "bank" in doc
        and c.obj(bank, "bank", {"name", "currency", "code"})
        and isinstance(bank, dict)
    ):
        c.text(bank.get("name"), "bank.name")
        c.text(bank.get("currency"), "bank.currency", r"[A-Z]{3}", "must be an ISO 4217 code")
        if c.text(bank.get("code"), "bank.code", r"[0-9]{3}", "must be 3 digits"):
            bank_codes.add(bank["code"])
    for path, other in c.items(doc.get("banks"), "banks"):
        if c.obj(other, path, {"code", "name"}):
            c.text(other.get("name"), f"{path}.name")
            if c.text(other.get("code"), f"{path}.code", r"[0-9]{3}", "must be 3 digits"):
                if other["code"] in bank_codes:
                    c.fail(f"{path}.code", "duplicate bank code")
                bank_codes.add(other["code"])
    for path, biller in c.items(doc.get("billers"), "billers"):
        if c.obj(biller, path, {"code", "name", "reference_label", "reference_pattern"}):
            for key in ("code", "name", "reference_label"):
                c.text(biller.get(key), f"{path}.{key}")
            if c.text(biller.get("reference_pattern"), f"{path}.reference_pattern"):
                try:
                    re.compile(biller["reference_pattern"])
                except re.error:
                    c.fail(f"{path}.reference_pattern", "not a valid regular expression")
    levels: set[int] = set()
    for path, level in c.items(doc.get("kyc_levels"), "kyc_levels"):
        if c.obj(level, path, {"level", "per_transaction", "daily", "monthly"}):
            if not isinstance(level.get("level"), int) or isinstance(level.get("level"), bool):
                c.fail(f"{path}.level", "must be a whole number")
            else:
                levels.add(level["level"])
            limits = [
                c.amount(level.get(k), f"{path}.{k}")
                for k in ("per_transaction", "daily", "monthly")
            ]
            if None not in limits and not limits[0] <= limits[1] <= limits[2]:  # type: ignore[operator]
                c.fail(path, "limits must satisfy per_transaction ≤ daily ≤ monthly")
    national_ids: dict[str, str] = {}
    for path, person in c.items(doc.get("national_id_registry"), "national_id_registry"):
        if c.obj(person, path, {"national_id", "name", "dob"}):
            if c.text(
                person.get("national_id"),
                f"{path}.national_id",
                r"[0-9]{8,15}",
                "must be 8-15 digits",
            ):
                c.unique(national_ids, person["national_id"], f"{path}.national_id")
            c.text(person.get("name"), f"{path}.name")
            c.past_date(person.get("dob"), f"{path}.dob")
    ids: dict[str, str] = {}
    numbers: dict[str, str] = {}
    accounts: dict[str, str] = {}
    cards: dict[str, str] = {}
    customers = c.items(doc.get("customers"), "customers")
    if isinstance(doc.get("customers"), list) and not customers:
        c.fail("customers", "must list at least one customer")
    for path, cust in customers:
        required = {"customer_id", "name", "msisdn", "email", "dob", "national_id", "kyc_level"}
        if not c.obj(cust, path, required, {"accounts", "cards", "payees", "chat_banking"}):
            continue
        if c.text(cust.get("customer_id"), f"{path}.customer_id"):
            c.unique(ids, cust["customer_id"], f"{path}.customer_id")
        c.text(cust.get("name"), f"{path}.name")
        c.msisdn(cust.get("msisdn"), f"{path}.msisdn")
        c.unique(numbers, cust.get("msisdn"), f"{path}.msisdn")
        c.text(cust.get("email"), f"{path}.email", _EMAIL.pattern, "not an email address")
        c.past_date(cust.get("dob"), f"{path}.dob")
        if c.text(
            cust.get("national_id"), f"{path}.national_id", r"[0-9]{8,15}", "must be 8-15 digits"
        ):
            c.unique(national_ids, cust["national_id"], f"{path}.national_id")
        if cust.get("kyc_level") not in levels:
            c.fail(f"{path}.kyc_level", "must be one of kyc_levels[].level")
        if "chat_banking" in cust and not isinstance(cust["chat_banking"], bool):
            c.fail(f"{path}.chat_banking", "must be true or false")
        for apath, account in c.items(cust.get("accounts"), f"{path}.accounts"):
            if c.obj(account, apath, {"number", "type", "currency", "balance"}):
                if c.text(
                    account.get("number"), f"{apath}.number", r"[0-9]{10}", "must be 10 digits"
                ):
                    c.unique(accounts, account["number"], f"{apath}.number")
                if account.get("type") not in ACCOUNT_TYPES:
                    c.fail(f"{apath}.type", f"must be one of {', '.join(sorted(ACCOUNT_TYPES))}")
                c.text(
                    account.get("currency"),
                    f"{apath}.currency",
                    r"[A-Z]{3}",
                    "must be an ISO 4217 code",
                )
                c.amount(account.get("balance"), f"{apath}.balance")
        for kpath, card in c.items(cust.get("cards"), f"{path}.cards"):
            if c.obj(card, kpath, {"card_id", "pan", "status"}):
                if c.text(card.get("card_id"), f"{kpath}.card_id"):
                    c.unique(cards, card["card_id"], f"{kpath}.card_id")
                pan = card.get("pan")
                if not isinstance(pan, str) or not re.fullmatch(r"[0-9]{12,19}", pan):
                    c.fail(f"{kpath}.pan", "must be 12-19 digits")
                elif not luhn_ok(pan):
                    c.fail(f"{kpath}.pan", "fails the Luhn check")
                if card.get("status") not in CARD_STATUSES:
                    c.fail(f"{kpath}.status", f"must be one of {', '.join(sorted(CARD_STATUSES))}")
        for ppath, payee in c.items(cust.get("payees"), f"{path}.payees"):
            if c.obj(payee, ppath, {"name", "bank_code", "account_number"}):
                c.text(payee.get("name"), f"{ppath}.name")
                if payee.get("bank_code") not in bank_codes:
                    c.fail(f"{ppath}.bank_code", "must be bank.code or one of banks[].code")
                c.text(
                    payee.get("account_number"),
                    f"{ppath}.account_number",
                    r"[0-9]{10}",
                    "must be 10 digits",
                )
    return c.problems


def load(bank: SqliteBank, doc: Any, replace: bool = False) -> LoadSummary:
    """Validate, then insert everything in one transaction; raise SeedError on any problem."""
    problems = validate(doc)
    if problems:
        raise SeedError(problems)
    if not replace and not bank.is_empty():
        raise SeedError([SeedProblem("$", "the bank already holds data; use --replace to wipe it")])
    summary = LoadSummary()
    with bank.loading(replace) as db:
        info = doc["bank"]
        db.executemany("INSERT INTO meta VALUES (?, ?)", list(info.items()))
        db.executemany(
            "INSERT INTO other_banks VALUES (?, ?)",
            [(b["code"], b["name"]) for b in doc.get("banks", [])],
        )
        db.executemany(
            "INSERT INTO billers VALUES (?, ?, ?, ?)",
            [
                (b["code"], b["name"], b["reference_label"], b["reference_pattern"])
                for b in doc.get("billers", [])
            ],
        )
        db.executemany(
            "INSERT INTO kyc_levels VALUES (?, ?, ?, ?)",
            [
                (k["level"], cents(k["per_transaction"]), cents(k["daily"]), cents(k["monthly"]))
                for k in doc["kyc_levels"]
            ],
        )
        db.executemany(
            "INSERT INTO id_registry VALUES (?, ?, ?)",
            [(p["national_id"], p["name"], p["dob"]) for p in doc.get("national_id_registry", [])],
        )
        for cust in doc["customers"]:
            cid = cust["customer_id"]
            db.execute(
                "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cid,
                    cust["name"],
                    cust["msisdn"],
                    cust["email"],
                    cust["dob"],
                    cust["national_id"],
                    cust["kyc_level"],
                    int(cust.get("chat_banking", True)),
                ),
            )
            db.executemany(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
                [
                    (a["number"], cid, a["type"], a["currency"], cents(a["balance"]))
                    for a in cust.get("accounts", [])
                ],
            )
            db.executemany(
                "INSERT INTO cards VALUES (?, ?, ?, ?)",
                [(k["card_id"], cid, k["pan"], k["status"]) for k in cust.get("cards", [])],
            )
            db.executemany(
                "INSERT INTO payees (customer_id, name, bank_code, account_number) "
                "VALUES (?, ?, ?, ?)",
                [
                    (cid, p["name"], p["bank_code"], p["account_number"])
                    for p in cust.get("payees", [])
                ],
            )
        summary.counts = {
            "customers": len(doc["customers"]),
            "accounts": sum(len(c.get("accounts", [])) for c in doc["customers"]),
            "cards": sum(len(c.get("cards", [])) for c in doc["customers"]),
            "payees": sum(len(c.get("payees", [])) for c in doc["customers"]),
            "billers": len(doc.get("billers", [])),
            "banks": len(doc.get("banks", [])),
        }
    return summary


def load_file(bank: SqliteBank, path: Path, replace: bool = False) -> LoadSummary:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(
            [SeedProblem("$", f"cannot read {Path(path).name}: {exc.strerror}")]
        ) from exc
    except ValueError as exc:
        raise SeedError([SeedProblem("$", f"not valid JSON ({exc})")]) from exc
    return load(bank, doc, replace=replace)
