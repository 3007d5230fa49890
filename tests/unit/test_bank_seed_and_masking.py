"""Seed validation (every problem, with its path; all or nothing) and the masking module."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app import DEMO_SEED
from bank.demo import SqliteBank
from bank.masking import mask_account, mask_card, mask_email, mask_phone
from bank.seed import SeedError, load, load_file, validate

DEMO = json.loads(DEMO_SEED.read_text())


def test_the_demo_seed_is_valid() -> None:
    assert validate(DEMO) == []


def test_every_problem_is_reported_with_its_path() -> None:
    doc = copy.deepcopy(DEMO)
    doc["bank"]["currency"] = "dollars"
    doc["kyc_levels"][0]["daily"] = "1.234"
    doc["billers"][0]["reference_pattern"] = "([0-9"
    amina = doc["customers"][0]
    amina["msisdn"] = "08030000001"
    amina["dob"] = "2999-01-01"
    amina["kyc_level"] = 9
    amina["nickname"] = "Ami"
    amina["accounts"][0]["balance"] = 2500
    amina["cards"][0]["pan"] = "5399831234564241"
    amina["payees"][0]["bank_code"] = "999"
    doc["customers"][1]["msisdn"] = doc["customers"][2]["msisdn"]
    del doc["customers"][3]["email"]
    found = {str(p) for p in validate(doc)}
    expected = {
        "bank.currency: must be an ISO 4217 code",
        "customers[0].msisdn: not E.164",
        "customers[0].dob: is in the future",
        "customers[0].kyc_level: must be one of kyc_levels[].level",
        "customers[0].nickname: unknown field",
        "customers[0].cards[0].pan: fails the Luhn check",
        "customers[0].payees[0].bank_code: must be bank.code or one of banks[].code",
        "billers[0].reference_pattern: not a valid regular expression",
        "customers[2].msisdn: duplicate of customers[1].msisdn",
        "customers[3].email: required",
    }
    assert expected <= found, expected - found
    assert any(p.startswith("kyc_levels[0].daily:") for p in found)
    assert any(p.startswith("customers[0].accounts[0].balance:") for p in found)


def test_a_bad_seed_loads_nothing(tmp_path: Path) -> None:
    bank = SqliteBank(tmp_path / "bank.sqlite3")
    doc = copy.deepcopy(DEMO)
    doc["customers"][4]["accounts"][0]["number"] = "12"
    with pytest.raises(SeedError) as info:
        load(bank, doc)
    assert [str(p) for p in info.value.problems] == [
        "customers[4].accounts[0].number: must be 10 digits"
    ]
    assert bank.is_empty() and bank.list_customers() == []


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    bank = SqliteBank(tmp_path / "bank.sqlite3")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SeedError, match=r"\$: not valid JSON"):
        load_file(bank, tmp_path / "bad.json")
    with pytest.raises(SeedError, match=r"\$: cannot read"):
        load_file(bank, tmp_path / "missing.json")
    assert validate([]) and validate(None)


@pytest.mark.parametrize(
    ("masked", "expected"),
    [
        (mask_account("0123456789"), "••6789"),
        (mask_account("12"), "••••"),
        (mask_card("5399 8312 3456 4242"), "••4242"),
        (mask_phone("+2348030000001"), "+234•••••0001"),
        (mask_phone("whatsapp:+447700900123"), "+44•••••0123"),
        (mask_phone("garbage"), "••bage"),
        (mask_phone(""), "••••"),
        (mask_email("amina@example.com"), "a••••@example.com"),
        (mask_email("nonsense"), "••••"),
    ],
)
def test_masking(masked: str, expected: str) -> None:
    assert masked == expected
