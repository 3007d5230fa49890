"""``flask bank copy --to DATABASE``: the demo bank moved from its SQLite file to PostgreSQL (and
back) with every row, the ledger checked there before the copy commits; a target that holds a
bank is left alone without ``--replace``; the URL's password never printed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import Result
from flask import Flask

from bank.cli import bank_cli
from bank.copy import CopyRefused, copy_bank
from bank.demo import SqlBank, SqliteBank
from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.pg_db import close_all
from bank.ports import TransferRequest
from bank.seed import DEMO_SEED, load_file
from tests.postgres_server import PostgresServer

AMINA, AMINA_SAVINGS, TUNDE_CURRENT = "C001", "0123456789", "0234567890"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PASSWORD = "hunter2-not-printed"  # the test server trusts loopback: any password connects


def pay(key: str, amount: str) -> TransferRequest:
    return TransferRequest(key, AMINA_SAVINGS, TUNDE_CURRENT, "001", Decimal(amount), "", AMINA)


@pytest.fixture
def sqlite_bank(tmp_path: Path) -> Iterator[SqliteBank]:
    bank = SqliteBank(tmp_path / "bank.sqlite3", clock=lambda: NOW, guards=[kyc_guard])
    load_file(bank, DEMO_SEED)
    bank.transfer(pay("k1", "150.00"))
    bank.add_payee(AMINA, "Grace Obi", "044", "0111222333")
    bank.hold_for_mobile(pay("hold-1", "20.00"), "+2348039999999", NOW + timedelta(days=7))
    yield bank
    bank.close()


@pytest.fixture
def target(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.new_database()
    yield url.replace("postgres@", f"postgres:{PASSWORD}@")
    close_all(url.replace("postgres@", f"postgres:{PASSWORD}@"))
    postgres_server.drop(url)


def cli(bank: SqlBank, *args: str) -> Result:
    app = Flask("bank-copy-test")
    app.extensions["teller"] = SimpleNamespace(bank=bank)
    app.cli.add_command(bank_cli)
    result: Result = app.test_cli_runner().invoke(args=["bank", "copy", *args])
    assert PASSWORD not in result.output and AMINA_SAVINGS not in result.output
    return result


def same_bank(one: SqlBank, other: SqlBank) -> None:
    assert other.list_customers() == one.list_customers()
    for customer in one.list_customers():
        cid = customer.customer_id
        assert other.accounts(cid) == one.accounts(cid)
        assert other.payees(cid) == one.payees(cid)
        assert other.cards(cid) == one.cards(cid)
        assert other.limits(cid) == one.limits(cid)
    assert other.mini_statement(AMINA_SAVINGS, 20) == one.mini_statement(AMINA_SAVINGS, 20)
    assert other.total_balance() == one.total_balance()
    assert other.profile() == one.profile() and other.kyc_levels() == one.kyc_levels()
    assert other.ledger_problems() == []


def test_the_sqlite_bank_moves_to_postgresql_whole(sqlite_bank: SqliteBank, target: str) -> None:
    result = cli(sqlite_bank, "--to", target)
    assert result.exit_code == 0, result.output
    assert "copied to postgresql://postgres@127.0.0.1:" in result.stdout
    assert "rows and ledger checked" in result.stdout
    moved = open_bank(target, clock=lambda: NOW, guards=[kyc_guard])
    same_bank(sqlite_bank, moved)
    # The idempotency keys came along: a repeated confirmation replays, it doesn't pay again.
    first = sqlite_bank.transfer(pay("k1", "150.00"))
    assert moved.transfer(pay("k1", "150.00")) == first
    # New rows after the copy get keys of their own (the counters moved past the copied ones).
    payee = moved.add_payee(AMINA, "Bola Ade", "058", "0444555666")
    assert payee.payee_id > max(p.payee_id for p in sqlite_bank.payees(AMINA))
    fresh = moved.transfer(pay("k2", "10.00"))
    assert fresh.txn_id > first.txn_id and not fresh.replayed
    assert moved.ledger_problems() == []
    moved.close()


def test_a_target_holding_a_bank_is_left_alone_without_replace(
    sqlite_bank: SqliteBank, target: str
) -> None:
    assert cli(sqlite_bank, "--to", target).exit_code == 0
    sqlite_bank.transfer(pay("k3", "5.00"))
    refused = cli(sqlite_bank, "--to", target)
    assert refused.exit_code == 1 and "already holds a bank" in refused.stderr
    moved = open_bank(target, clock=lambda: NOW)
    assert moved.transfer_by_reference(sqlite_bank.transfer(pay("k3", "5.00")).reference) is None
    assert cli(sqlite_bank, "--to", target, "--replace").exit_code == 0
    same_bank(sqlite_bank, moved)
    moved.close()


def test_back_to_a_sqlite_file(sqlite_bank: SqliteBank, target: str, tmp_path: Path) -> None:
    assert cli(sqlite_bank, "--to", target).exit_code == 0
    on_postgres = open_bank(target, clock=lambda: NOW)
    back = tmp_path / "copy" / "back.sqlite3"
    assert cli(on_postgres, "--to", str(back)).exit_code == 0
    same_bank(sqlite_bank, SqliteBank(back, clock=lambda: NOW))
    on_postgres.close()


def test_a_copy_that_fails_its_check_writes_nothing(sqlite_bank: SqliteBank, target: str) -> None:
    # A ledger broken behind the bank's back: the copy is refused, the target stays empty.
    sqlite_bank.db.run("UPDATE accounts SET balance = balance + 1 WHERE number = ?", TUNDE_CURRENT)
    moved = open_bank(target, clock=lambda: NOW)
    with pytest.raises(CopyRefused) as refused:
        copy_bank(sqlite_bank, moved)
    assert refused.value.problems == ["account ••7890: balance differs from its legs"]
    assert moved.is_empty()
    moved.close()


@pytest.mark.parametrize(
    ("to", "problem"),
    [
        ("mysql://db/bank", "--to: mysql URLs are not supported"),
        ("postgresql://x@127.0.0.1:1/none?bogus=1", "--to: not a readable PostgreSQL URL"),
    ],
)
def test_a_target_that_is_no_database_is_refused(
    sqlite_bank: SqliteBank, to: str, problem: str
) -> None:
    result = cli(sqlite_bank, "--to", to)
    assert result.exit_code == 1 and problem in result.stderr


def test_its_own_database_is_refused(sqlite_bank: SqliteBank) -> None:
    result = cli(sqlite_bank, "--to", sqlite_bank.location)
    assert result.exit_code == 1 and "the bank's own database" in result.stderr


def test_a_target_that_does_not_answer_is_a_try_again(sqlite_bank: SqliteBank) -> None:
    result = cli(sqlite_bank, "--to", f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/bank")
    assert result.exit_code == 1
    assert "did not answer in time" in result.stderr and "nothing was written" in result.stderr
