"""Loading seeds into a real SQLite file: all or nothing, the directory, the opening ledger."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bank.demo import SqlBank, SqliteBank
from bank.engines import open_bank
from bank.ports import CoreBanking, Customer
from bank.seed import DEMO_SEED, SeedError, load, load_file

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def demo() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def empty(bank_database: str) -> SqlBank:
    return open_bank(bank_database, clock=lambda: NOW)


@pytest.fixture
def bank(empty: SqlBank) -> SqlBank:
    load_file(empty, DEMO_SEED)
    return empty


def test_the_demo_seed_loads_with_its_counts(empty: SqlBank) -> None:
    assert empty.is_empty()
    summary = load_file(empty, DEMO_SEED)
    doc = demo()
    assert summary.counts["customers"] == len(doc["customers"])
    assert summary.counts["accounts"] == sum(len(c["accounts"]) for c in doc["customers"])
    assert str(summary).startswith(f"{len(doc['customers'])} customers, ")
    assert not empty.is_empty()
    assert empty.profile().name == "Demo Bank" and empty.profile().code == "001"
    assert [k.level for k in empty.kyc_levels()] == [1, 2, 3]
    assert empty.kyc_levels()[0].daily == Decimal("1000.00")
    assert len(empty.billers()) >= 3 and len(empty.other_banks()) >= 3


def test_balances_and_history_arrive_as_seeded(bank: SqlBank) -> None:
    [savings, current] = bank.accounts("C001")
    assert (savings.number, savings.balance) == ("0123456789", Decimal("2500.00"))
    assert current.balance == Decimal("740.25")
    lines = bank.mini_statement(savings.number, limit=10)
    assert [line.description for line in lines][-1] == "Opening balance"
    assert lines[0].balance_after == savings.balance
    assert lines[-1].created_at <= lines[0].created_at
    assert bank.ledger_problems() == []


def test_the_directory_hides_the_customer_not_registered_for_chat(bank: SqlBank) -> None:
    everyone = bank.list_customers()
    hidden = [c for c in everyone if bank.customer_by_msisdn(c.msisdn) is None]
    assert [c.name for c in hidden] == ["Grace Okafor"]
    assert bank.customer(hidden[0].customer_id) == hidden[0]  # still a customer of the bank
    amina = bank.customer_by_msisdn("+2348030000001")
    assert amina is not None and amina.name == "Amina Yusuf" and amina.kyc_level == 2
    assert bank.customer_by_msisdn("+447700900123") is None


def test_customers_carry_no_dob_or_national_id(bank: SqlBank) -> None:
    fields = {f.name for f in dataclasses.fields(Customer)}
    assert fields == {
        "customer_id",
        "name",
        "msisdn",
        "email",
        "kyc_level",
        "chat_banking",
        "segment",
    }


def test_personal_details_are_verified_inside_the_bank(bank: SqlBank) -> None:
    assert bank.verify_personal_details("C001", date(1990, 4, 12), "8901")
    assert not bank.verify_personal_details("C001", date(1990, 4, 13), "8901")
    assert not bank.verify_personal_details("C001", date(1990, 4, 12), "8902")
    assert not bank.verify_personal_details("C001", date(1990, 4, 12), "")
    assert not bank.verify_personal_details("C999", date(1990, 4, 12), "8901")


def test_a_bad_seed_loads_nothing(empty: SqlBank) -> None:
    doc = demo()
    doc["customers"][4]["accounts"][0]["number"] = "12"
    with pytest.raises(SeedError) as info:
        load(empty, doc)
    assert [str(p) for p in info.value.problems] == [
        "customers[4].accounts[0].number: must be 10 digits"
    ]
    assert empty.is_empty() and empty.list_customers() == [] and empty.billers() == []


def test_a_failure_halfway_through_inserting_rolls_everything_back(
    empty: SqlBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bank.seed_sql

    calls = 0
    real = bank.seed_sql._post_history

    def fail_on_third_account(*args: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk on fire")
        return real(*args)

    monkeypatch.setattr(bank.seed_sql, "_post_history", fail_on_third_account)
    with pytest.raises(RuntimeError):
        load(empty, demo())
    assert empty.is_empty() and empty.list_customers() == []
    assert empty.total_balance() == 0


def test_loading_into_a_loaded_bank_needs_replace(bank: SqlBank) -> None:
    with pytest.raises(SeedError, match="--replace") as info:
        load_file(bank, DEMO_SEED)
    assert [p.path for p in info.value.problems] == ["$"]
    doc = demo()
    doc["customers"] = doc["customers"][:2]
    doc["customers"][1]["payees"] = []
    doc["customers"][0]["payees"] = doc["customers"][0]["payees"][1:]
    load(bank, doc, replace=True)
    assert [c.customer_id for c in bank.list_customers()] == ["C001", "C002"]
    assert bank.ledger_problems() == []


def test_a_bad_replacement_keeps_the_old_data(bank: SqlBank) -> None:
    doc = demo()
    doc["bank"]["code"] = "x"
    with pytest.raises(SeedError):
        load(bank, doc, replace=True)
    assert len(bank.list_customers()) == len(demo()["customers"])


def test_unreadable_files_and_bad_json_are_seed_errors_at_the_root(
    empty: SqlBank, tmp_path: Path
) -> None:
    (tmp_path / "bad.json").write_text('{"bank": 0123456789}')
    with pytest.raises(SeedError) as info:
        load_file(empty, tmp_path / "bad.json")
    [problem] = info.value.problems
    assert problem.path == "$" and problem.message.startswith("not valid JSON (line 1")
    assert "0123456789" not in str(info.value)
    (tmp_path / "latin1.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(SeedError, match=r"^\$: not valid JSON"):
        load_file(empty, tmp_path / "latin1.json")
    with pytest.raises(SeedError, match=r"^\$: cannot read missing.json"):
        load_file(empty, tmp_path / "missing.json")
    assert empty.is_empty()


def test_reopening_the_file_keeps_everything(bank: SqlBank) -> None:
    again = open_bank(bank.location)
    assert again.list_customers() == bank.list_customers()
    assert again.total_balance() == bank.total_balance()


def test_the_demo_bank_implements_the_port(bank: SqlBank) -> None:
    port: CoreBanking = bank  # checked by mypy: SqlBank satisfies the Protocol
    port.ping()
    assert port.customer("C001") is not None


def test_a_customers_segment_is_stored_retail_by_default(empty: SqlBank) -> None:
    doc = demo()
    doc["customers"][0]["segment"] = "retail"  # C001 says so; the others don't say
    load(empty, doc)
    segments = {c.customer_id: c.segment for c in empty.list_customers()}
    assert segments["C006"] == "business"  # the demo's business customer
    assert {segments[c] for c in ("C001", "C002", "C003", "C004", "C005")} == {"retail"}


def test_a_bad_segment_is_refused_with_its_path(empty: SqlBank) -> None:
    doc = demo()
    doc["customers"][2]["segment"] = "wealth"
    with pytest.raises(SeedError) as info:
        load(empty, doc)
    assert [str(p) for p in info.value.problems] == [
        "customers[2].segment: one of: retail, business"
    ]
    assert empty.is_empty()


def test_a_bank_file_from_before_segments_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE kyc_levels (level INTEGER PRIMARY KEY, per_transaction INTEGER NOT NULL,"
        " daily INTEGER NOT NULL, monthly INTEGER NOT NULL);"
        "INSERT INTO kyc_levels VALUES (1, 50000, 100000, 500000);"
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " msisdn TEXT NOT NULL UNIQUE, email TEXT NOT NULL, dob TEXT NOT NULL,"
        " national_id TEXT NOT NULL UNIQUE, kyc_level INTEGER NOT NULL REFERENCES"
        " kyc_levels(level), chat_banking INTEGER NOT NULL DEFAULT 1);"
        "INSERT INTO customers VALUES ('C001', 'Amina Yusuf', '+2348030000001',"
        " 'amina@example.com', '1990-04-12', '12345678901', 1, 1);"
    )
    old.close()
    reopened = SqliteBank(path, clock=lambda: NOW)
    [customer] = reopened.list_customers()
    assert customer.segment == "retail"
    SqliteBank(path, clock=lambda: NOW)  # opening it again adds nothing twice
