"""Seed validation (pure, no database): every problem is reported, each with its path."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.seed import DEMO_SEED, SeedProblem, validate
from bank.seed_rules import luhn_ok

TODAY = date(2026, 11, 2)


def demo() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    return doc


def messages(doc: object) -> set[str]:
    return {str(p) for p in validate(doc, today=TODAY)}


def test_the_bundled_demo_seed_is_valid_and_as_designed() -> None:
    doc = demo()
    assert validate(doc, today=TODAY) == []
    bank = {k: doc["bank"][k] for k in ("name", "currency", "code", "timezone")}
    assert bank == {
        "name": "Demo Bank", "currency": "USD", "code": "001", "timezone": "Africa/Lagos"
    }  # fmt: skip
    assert doc["bank"]["contacts"]["fraud"] and doc["bank"]["branches"]
    assert len(doc["banks"]) >= 3 and len(doc["billers"]) >= 3
    assert [k["level"] for k in doc["kyc_levels"]] == [1, 2, 3]
    customers = doc["customers"]
    assert customers[0]["name"] == "Amina Yusuf" and customers[0]["msisdn"] == "+2348030000001"
    assert len(customers) >= 5 and {c["kyc_level"] for c in customers} == {1, 2, 3}
    assert [c.get("chat_banking", True) for c in customers].count(False) == 1
    for customer in customers:
        assert phonenumbers.is_valid_number(phonenumbers.parse(customer["msisdn"]))
        assert 1 <= len(customer["accounts"]) <= 3
        assert all(luhn_ok(card["pan"]) for card in customer["cards"])
    payee_banks = {p["bank_code"] for c in customers for p in c["payees"]}
    assert "001" in payee_banks and payee_banks - {"001"}
    registry = {p["national_id"] for p in doc["national_id_registry"]}
    assert registry and not registry & {c["national_id"] for c in customers}


def test_every_problem_is_reported_with_its_path() -> None:
    doc = demo()
    doc["bank"]["name"] = " "
    doc["banks"][1]["code"] = "044"
    doc["billers"][0]["reference_pattern"] = "([0-9"
    doc["kyc_levels"][0]["daily"] = "1.234"
    doc["kyc_levels"][1]["per_transaction"] = "9000.00"
    doc["national_id_registry"][0]["dob"] = "2001-02-30"
    amina = doc["customers"][0]
    amina["msisdn"] = "08030000001"
    amina["email"] = "amina.example.com"
    amina["dob"] = "2999-01-01"
    amina["kyc_level"] = 9
    amina["nickname"] = "Ami"
    amina["accounts"][0]["balance"] = 2500
    amina["accounts"][1]["balance"] = "-1.00"
    amina["accounts"][1]["currency"] = "NGN"
    amina["cards"][0]["pan"] = "5399831234564241"
    amina["cards"][0]["status"] = "stolen"
    amina["payees"][0]["bank_code"] = "999"
    amina["payees"][1]["account_number"] = "0999999999"
    doc["customers"][1]["msisdn"] = doc["customers"][2]["msisdn"]
    doc["customers"][1]["cards"][1]["card_id"] = "K2"
    doc["customers"][2]["national_id"] = "12345678901"
    doc["customers"][3]["accounts"][1]["number"] = "0456789012"
    doc["customers"][3]["national_id"] = "1234-5678"
    del doc["customers"][3]["email"]
    doc["customers"][4]["chat_banking"] = "no"
    doc["customers"][5]["cards"][0]["pan"] = "53998300"
    found = messages(doc)
    expected = {
        "bank.name: must be a non-empty string",
        "banks[1].code: duplicate of banks[0].code",
        "billers[0].reference_pattern: not a valid regular expression",
        "kyc_levels[1]: limits must satisfy per_transaction ≤ daily ≤ monthly",
        "national_id_registry[0].dob: not a date (YYYY-MM-DD)",
        "customers[0].msisdn: not E.164",
        "customers[0].email: not an email address",
        "customers[0].dob: in the future",
        "customers[0].kyc_level: not one of kyc_levels[].level",
        "customers[0].nickname: unknown field",
        "customers[0].accounts[1].currency: must be bank.currency (the demo bank holds one "
        "currency)",
        "customers[0].cards[0].pan: fails the Luhn check",
        "customers[0].cards[0].status: must be one of active, cancelled, inactive, locked",
        "customers[0].payees[0].bank_code: not bank.code or any banks[].code",
        "customers[0].payees[1].account_number: no such account at this bank",
        "customers[2].msisdn: duplicate of customers[1].msisdn",
        "customers[1].cards[1].card_id: duplicate of customers[1].cards[0].card_id",
        "customers[2].national_id: duplicate of customers[0].national_id",
        "customers[3].accounts[1].number: duplicate of customers[3].accounts[0].number",
        "customers[3].national_id: must be 8-15 digits",
        "customers[3].email: required",
        "customers[4].chat_banking: must be true or false",
        "customers[5].cards[0].pan: must be 12-19 digits",
    }
    assert expected <= found, sorted(expected - found)
    for prefix in (
        "kyc_levels[0].daily: ",
        "customers[0].accounts[0].balance: ",
        "customers[0].accounts[1].balance: ",
    ):
        assert any(p.startswith(prefix + "must be a decimal string") for p in found), prefix
    # Problems never quote the offending values (seeds hold PII).
    assert not any("08030000001" in p or "2999-01-01" in p for p in found)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (None, "$: must be an object"),
        ([], "$: must be an object"),
        ({}, "bank: required"),
        ({}, "customers: required"),
        (
            {"bank": {}, "kyc_levels": [], "customers": []},
            "kyc_levels: must list at least one level",
        ),
        ({"bank": [], "kyc_levels": [], "customers": {}}, "customers: must be a list"),
        ({"bank": {}, "kyc_levels": [], "customers": [], "extra": 1}, "extra: unknown field"),
        ({"bank": {"code": 1}, "kyc_levels": [], "customers": []}, "bank.name: required"),
        (
            {"bank": {"name": "B", "currency": "usd", "code": "001"}, "kyc_levels": []},
            "bank.currency: not a currency code (3 uppercase letters)",
        ),
        (
            {"bank": {"code": 1}, "kyc_levels": [], "customers": []},
            "bank.code: must be a non-empty string",
        ),
    ],
)
def test_shape_problems(doc: object, expected: str) -> None:
    assert expected in messages(doc)


def test_kyc_level_types_and_duplicates() -> None:
    doc = demo()
    doc["kyc_levels"][1]["level"] = True
    doc["kyc_levels"][2]["level"] = 1
    found = messages(doc)
    assert "kyc_levels[1].level: must be a whole number ≥ 1" in found
    assert "kyc_levels[2].level: duplicate of kyc_levels[0].level" in found


@pytest.mark.parametrize(
    "msisdn",
    ["+234 803 000 0001", "+2340000000001", "2348030000001", "+234803", 2348030000001, ""],
)
def test_numbers_must_be_valid_and_written_in_e164(msisdn: object) -> None:
    doc = demo()
    doc["customers"][0]["msisdn"] = msisdn
    assert messages(doc) == {"customers[0].msisdn: not E.164"}


def test_seeded_history_is_validated() -> None:
    doc = demo()
    lines = doc["customers"][0]["accounts"][0]["transactions"]
    lines[0]["amount"] = "0.00"
    lines[1]["date"] = "2026-11-03"
    lines[2]["counterparty"] = "Card 5399831234564249"
    lines[3]["memo"] = "x"
    found = messages(doc)
    path = "customers[0].accounts[0].transactions"
    assert f"{path}[0].amount: must not be zero" in found
    assert f"{path}[1].date: in the future" in found
    assert f"{path}[2].counterparty: must not hold a full account or card number" in found
    assert f"{path}[3].memo: unknown field" in found


def test_history_may_not_overdraw_the_account() -> None:
    doc = demo()
    account = doc["customers"][2]["accounts"][0]  # 120.50 today
    account["transactions"] = [
        {"date": "2026-10-01", "amount": "-200.00", "description": "Rent"},
        {"date": "2026-10-02", "amount": "200.00", "description": "Refund"},
    ]
    assert messages(doc) == {
        "customers[2].accounts[0].transactions: the history would take the balance below zero"
    }
    account["transactions"].reverse()  # the loader posts in date order, so order is irrelevant
    assert len(messages(doc)) == 1
    account["transactions"][0]["date"] = "2026-09-30"  # refund first: fine
    assert messages(doc) == set()


def test_problem_str_is_path_colon_message() -> None:
    assert str(SeedProblem("customers[3].msisdn", "not E.164")) == "customers[3].msisdn: not E.164"


def test_the_demo_seed_is_not_mutated_by_validation() -> None:
    doc = demo()
    before = copy.deepcopy(doc)
    validate(doc, today=TODAY)
    assert doc == before


def _paths(node: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_paths(demo())[1:]), JSON_VALUES)
def test_any_json_anywhere_is_reported_never_raised(
    path: tuple[str | int, ...], value: object
) -> None:
    doc: Any = demo()
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    for problem in validate(doc, today=TODAY):
        assert problem.path and problem.message


def test_the_banks_clock_contacts_and_branches_are_optional_and_checked() -> None:
    good = demo()
    del good["bank"]["timezone"], good["bank"]["contacts"], good["bank"]["branches"]
    assert validate(good, today=TODAY) == []
    bad = demo()
    bad["bank"]["timezone"] = "Lagos/Mars"
    bad["bank"]["contacts"] = {"phone": "0201234", "fax": "+2342012345678"}
    bad["bank"]["branches"] = [{"name": "Ikeja"}]
    assert sorted(messages(bad)) == [
        "bank.branches[0].address: required",
        "bank.contacts.fax: unknown field",
        "bank.contacts.phone: not E.164",
        "bank.timezone: not an IANA time zone such as Africa/Lagos",
    ]
