"""Concurrency on one bank (a SQLite file, a PostgreSQL database): threads and separate
processes can neither double-debit a repeated confirmation nor overdraw an account (SECURITY.md
rule 16)."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Protocol

import pytest

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.ports import InsufficientFunds, TransferRequest, TransferResult
from bank.seed import DEMO_SEED, load_file

AMINA, AMINA_SAVINGS, TUNDE_CURRENT = "C001", "0123456789", "0234567890"
START = Decimal("2500.00")  # Amina's savings in the demo seed


class Waitable(Protocol):
    def wait(self, timeout: float | None = None) -> object: ...


@pytest.fixture
def bank(bank_database: str) -> SqlBank:
    demo = open_bank(bank_database)
    load_file(demo, DEMO_SEED)
    return demo


def pay(amount: str, key: str, to: str = TUNDE_CURRENT, code: str = "001") -> TransferRequest:
    return TransferRequest(key, AMINA_SAVINGS, to, code, Decimal(amount), "", AMINA)


def savings(bank: SqlBank) -> Decimal:
    return next(a.balance for a in bank.accounts(AMINA) if a.number == AMINA_SAVINGS)


def debits(bank: SqlBank) -> int:
    rows = bank.db.rows(
        "SELECT COUNT(*) AS n FROM ledger WHERE account_number = ? AND reference LIKE 'TX%'",
        AMINA_SAVINGS,
    )
    return int(rows[0]["n"])


def test_twenty_threads_confirming_the_same_key_debit_once(bank: SqlBank) -> None:
    barrier = threading.Barrier(20)

    def confirm(_: int) -> TransferResult:
        barrier.wait()
        return bank.transfer(pay("100", "confirm-1"))

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(confirm, range(20)))
    assert len({r.reference for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 19
    assert savings(bank) == START - 100 and debits(bank) == 1
    assert bank.ledger_problems() == []


def test_twenty_threads_with_different_keys_never_overdraw(bank: SqlBank) -> None:
    total = bank.total_balance()
    barrier = threading.Barrier(20)

    def attempt(n: int) -> bool:
        barrier.wait()
        try:  # alternate destinations: same bank and another bank's settlement account
            bank.transfer(pay("300", f"t{n}", *(("0987654321", "044") if n % 2 else ())))
        except InsufficientFunds:
            return False
        return True

    with ThreadPoolExecutor(20) as pool:
        succeeded = sum(pool.map(attempt, range(20)))
    assert succeeded == 8  # 20 x 300 asked, 2500 available
    assert savings(bank) == Decimal("100.00") and debits(bank) == 8
    assert bank.total_balance() == total and bank.ledger_problems() == []


def _spend(path: str, worker: int, same_key: bool, start: Waitable) -> None:
    """Runs in a spawned process: its own bank on the shared database, 10 attempts of 100."""
    bank = open_bank(path)
    start.wait(30)
    for n in range(10):
        key = "one-confirmation" if same_key else f"p{worker}-{n}"
        with contextlib.suppress(InsufficientFunds):
            bank.transfer(pay("100", key))


def _run_processes(bank: SqlBank, same_key: bool) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)  # released when all 4 are ready, so their transfers overlap
    workers = [
        context.Process(target=_spend, args=(bank.location, worker, same_key, start))
        for worker in range(4)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert [p.exitcode for p in workers] == [0] * 4


def test_processes_on_one_file_never_overdraw(bank: SqlBank) -> None:
    total = bank.total_balance()
    _run_processes(bank, same_key=False)  # 4 x 10 x 100 asked, 2500 available
    assert savings(bank) == Decimal("0.00") and debits(bank) == 25
    assert bank.total_balance() == total and bank.ledger_problems() == []


def test_processes_repeating_one_key_debit_once(bank: SqlBank) -> None:
    _run_processes(bank, same_key=True)
    assert savings(bank) == START - 100 and debits(bank) == 1
