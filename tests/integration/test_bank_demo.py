"""The demo bank on real SQLite files: seed, directory, idempotent atomic transfers, ledger."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import DEMO_SEED
from bank.demo import SqliteBank
from bank.ports import (
    AccountNotOwned,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    TransferRequest,
    UnknownAccount,
)
from bank.seed import SeedError, load_file

AMINA_SAVINGS, TUNDE = "0123456789", "0234567890"


@pytest.fixture
def bank(tmp_path: Path) -> SqliteBank:
    demo = SqliteBank(tmp_path / "bank.sqlite3")
    load_file(demo, DEMO_SEED)
    return demo


def pay(amount: str, key: str, to: str = TUNDE, bank_code: str = "001") -> TransferRequest:
    return TransferRequest(key, "C001", AMINA_SAVINGS, to, bank_code, Decimal(amount))


def balance(bank: SqliteBank, customer: str, number: str) -> Decimal:
    return next(a.balance for a in bank.accounts(customer) if a.number == number)


def test_demo_seed_loads_and_the_directory_hides_non_chat_customers(bank: SqliteBank) -> None:
    everyone = bank.list_customers()
    assert len(everyone) >= 5 and len({c.kyc_level for c in everyone}) >= 3
    hidden = [c for c in everyone if bank.customer_by_msisdn(c.msisdn) is None]
    assert len(hidden) == 1
    assert bank.customer_by_msisdn("+2348030000001").name == "Amina Yusuf"
    assert bank.profile().name == "Demo Bank" and bank.billers() and bank.other_banks()


def test_loading_twice_is_refused_without_replace(bank: SqliteBank) -> None:
    with pytest.raises(SeedError, match="--replace"):
        load_file(bank, DEMO_SEED)
    load_file(bank, DEMO_SEED, replace=True)
    assert len(bank.list_customers()) == 5


def test_transfer_moves_money_and_writes_balanced_legs(bank: SqliteBank) -> None:
    total = bank.total_balance()
    result = pay("150.00", "k1")
    done = bank.transfer(result)
    assert done.reference.startswith("TX") and not done.replayed
    assert balance(bank, "C001", AMINA_SAVINGS) == Decimal("2350.00")
    assert balance(bank, "C002", TUNDE) == Decimal("18400.00")
    [debit] = bank.mini_statement(AMINA_SAVINGS)
    [credit] = bank.mini_statement(TUNDE)
    assert debit.amount == -credit.amount == Decimal("-150.00")
    assert bank.total_balance() == total


def test_transfer_to_another_bank_credits_its_settlement_account(bank: SqliteBank) -> None:
    total = bank.total_balance()
    bank.transfer(pay("99.99", "k2", to="0987654321", bank_code="044"))
    assert balance(bank, "C001", AMINA_SAVINGS) == Decimal("2400.01")
    assert bank.total_balance() == total


def test_replay_returns_the_first_result_and_conflicts_are_refused(bank: SqliteBank) -> None:
    first = bank.transfer(pay("10", "same"))
    again = bank.transfer(pay("10", "same"))
    assert again.replayed and again.reference == first.reference
    assert balance(bank, "C001", AMINA_SAVINGS) == Decimal("2490.00")
    with pytest.raises(IdempotencyConflict):
        bank.transfer(pay("11", "same"))


@pytest.mark.parametrize("amount", ["0", "-5", "1.001"])
def test_bad_amounts_are_refused(bank: SqliteBank, amount: str) -> None:
    with pytest.raises(InvalidAmount):
        bank.transfer(pay(amount, "bad"))


def test_refusals_write_nothing(bank: SqliteBank) -> None:
    total = bank.total_balance()
    with pytest.raises(InsufficientFunds):
        bank.transfer(pay("2500.01", "k3"))
    with pytest.raises(UnknownAccount):
        bank.transfer(pay("1", "k4", to="0000000000"))
    with pytest.raises(AccountNotOwned):
        bank.transfer(TransferRequest("k5", "C002", AMINA_SAVINGS, TUNDE, "001", Decimal(1)))
    assert bank.total_balance() == total and bank.mini_statement(AMINA_SAVINGS) == []
    assert balance(bank, "C001", AMINA_SAVINGS) == Decimal("2500.00")


def test_twenty_concurrent_identical_confirmations_debit_once(bank: SqliteBank) -> None:
    barrier = threading.Barrier(20)

    def confirm(_: int) -> str:
        barrier.wait()
        return bank.transfer(pay("100", "confirm-1")).reference

    with ThreadPoolExecutor(20) as pool:
        references = set(pool.map(confirm, range(20)))
    assert len(references) == 1
    assert balance(bank, "C001", AMINA_SAVINGS) == Decimal("2400.00")


def test_concurrent_transfers_never_overdraw(bank: SqliteBank) -> None:
    def attempt(n: int) -> bool:
        try:
            bank.transfer(pay("300", f"t{n}"))
            return True
        except InsufficientFunds:
            return False

    with ThreadPoolExecutor(16) as pool:
        succeeded = sum(pool.map(attempt, range(16)))
    assert succeeded == 8  # 2500 / 300
    assert balance(bank, "C001", AMINA_SAVINGS) == Decimal("100.00")


def _spend(path: str, worker: int) -> int:
    bank = SqliteBank(path)
    done = 0
    for n in range(10):
        try:
            bank.transfer(pay("50", f"p{worker}-{n}"))
            done += 1
        except InsufficientFunds:
            pass
    return done


def test_separate_processes_on_one_file_never_overdraw(bank: SqliteBank) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        done = sum(pool.starmap(_spend, [(bank.path, w) for w in range(4)]))
    # 4 processes x 10 x 50 = 2000 requested; all fit in 2500.
    assert done == 40 and balance(bank, "C001", AMINA_SAVINGS) == Decimal("500.00")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        more = sum(pool.starmap(_spend, [(bank.path, w + 10) for w in range(4)]))
    assert more == 10 and balance(bank, "C001", AMINA_SAVINGS) == Decimal("0.00")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(["001", "044"]), st.integers(1, 90_000)), max_size=15))
def test_random_transfers_keep_the_ledger_balanced(
    tmp_path_factory: pytest.TempPathFactory, moves: list[tuple[str, int]]
) -> None:
    bank = SqliteBank(tmp_path_factory.mktemp("h") / "bank.sqlite3")
    load_file(bank, DEMO_SEED)
    total = bank.total_balance()
    for n, (code, cents) in enumerate(moves):
        to = TUNDE if code == "001" else "0987654321"
        with contextlib.suppress(InsufficientFunds):
            bank.transfer(pay(str(Decimal(cents) / 100), f"h{n}", to=to, bank_code=code))
    assert bank.total_balance() == total
    assert balance(bank, "C001", AMINA_SAVINGS) >= 0
    legs = bank._rows("SELECT reference, SUM(amount) AS s FROM ledger GROUP BY reference")
    assert all(row["s"] == 0 for row in legs)
