"""Concurrency on one bank (a SQLite file, a PostgreSQL database) beyond a repeated key and a
balance (those are in ``test_bank_concurrency``): racing transfers can't pass the KYC daily
limit together (threads, and separate processes), one key raced with two different amounts
moves money once, and transfers crossing in both directions between two customers from several
processes neither deadlock nor lose a cent (SECURITY.md 16-18).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import pytest

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.ports import IdempotencyConflict, Limit, LimitExceeded, TransferRequest
from bank.seed import DEMO_SEED, load_file

# Amina: KYC level 2 (2,000.00 per transfer, 5,000.00 a day); Tunde: level 3.
AMINA, AMINA_SAVINGS, AMINA_CURRENT = "C001", "0123456789", "0123456790"
TUNDE, TUNDE_CURRENT, TUNDE_SAVINGS = "C002", "0234567890", "0234567891"
CHIDI_AT_ACCESS = ("0987654321", "044")
RACERS = 20


class Waitable(Protocol):
    def wait(self, timeout: float | None = None) -> object: ...


def fixed_clock() -> datetime:
    """One moment for every process, so a run can't straddle midnight (UTC, the bank's day)."""
    return datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def wired_bank(location: str) -> SqlBank:
    return open_bank(location, clock=fixed_clock, guards=[kyc_guard])


@pytest.fixture
def bank(bank_database: str) -> Iterator[SqlBank]:
    """The demo bank as the app builds it (KYC guard), Amina's two accounts topped up by Tunde
    (real transfers: the ledger stays sound) so only her daily limit can stop her."""
    demo = wired_bank(bank_database)
    load_file(demo, DEMO_SEED)
    for n, account in enumerate((AMINA_SAVINGS, AMINA_CURRENT)):
        demo.transfer(
            TransferRequest(f"fund{n}", TUNDE_SAVINGS, account, "001", Decimal(5000), "", TUNDE)
        )
    yield demo
    demo.close()


def request(key: str, amount: str, source: str = AMINA_SAVINGS) -> TransferRequest:
    return TransferRequest(key, source, *CHIDI_AT_ACCESS, Decimal(amount), "", AMINA)


def sent_by_amina(bank: SqlBank) -> tuple[int, Decimal]:
    rows = bank.db.rows(
        "SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS cents FROM transfers"
        " WHERE customer_id = ?",
        AMINA,
    )
    return int(rows[0]["n"]), Decimal(rows[0]["cents"]) / 100


def balances(bank: SqlBank, customer: str) -> dict[str, Decimal]:
    return {a.number: a.balance for a in bank.accounts(customer)}


def at_once(count: int, attempt: Callable[[int], Any]) -> list[Any]:
    """``attempt(n)`` for n in range(count), each in its own thread, released together."""
    barrier = threading.Barrier(count)

    def run(n: int) -> Any:
        barrier.wait()
        return attempt(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_racing_threads_never_pass_the_daily_limit_together(bank: SqlBank) -> None:
    total = bank.total_balance()

    def attempt(n: int) -> str:
        source = AMINA_SAVINGS if n % 2 else AMINA_CURRENT  # the limit is the customer's
        try:
            bank.transfer(request(f"t{n}", "400", source))
        except LimitExceeded as refused:
            assert refused.limit is Limit.DAILY
            return "refused"
        return "sent"

    outcomes = at_once(RACERS, attempt)
    assert outcomes.count("sent") == 12  # 20 x 400 asked, 5,000 a day: 12 fit, 200 is left
    assert sent_by_amina(bank) == (12, Decimal("4800.00"))
    assert bank.limits(AMINA).left_today == Decimal("200.00")
    assert sum(balances(bank, AMINA).values()) == Decimal("13240.25") - Decimal("4800.00")
    assert bank.total_balance() == total and bank.ledger_problems() == []


def _spend_daily(path: str, worker: int, start: Waitable) -> None:
    """In a spawned process: its own bank on the shared file, 5 transfers of 400 from Amina."""
    bank = wired_bank(path)
    start.wait(30)
    for n in range(5):
        source = AMINA_SAVINGS if (worker + n) % 2 else AMINA_CURRENT
        with contextlib.suppress(LimitExceeded):
            bank.transfer(request(f"p{worker}-{n}", "400", source))
    bank.close()


def _cross(path: str, worker: int, start: Waitable) -> None:
    """In a spawned process: 25 transfers of 1.00, Amina to Tunde or Tunde to Amina."""
    bank = wired_bank(path)
    start.wait(30)
    for n in range(25):
        if worker % 2:
            req = TransferRequest(f"a{worker}-{n}", AMINA_SAVINGS, TUNDE_CURRENT, "001",
                                  Decimal(1), "", AMINA)  # fmt: skip
        else:
            req = TransferRequest(f"b{worker}-{n}", TUNDE_CURRENT, AMINA_SAVINGS, "001",
                                  Decimal(1), "", TUNDE)  # fmt: skip
        bank.transfer(req)
    bank.close()


def in_processes(target: Callable[[str, int, Waitable], None], path: str, count: int = 4) -> None:
    """``target(path, n, barrier)`` in ``count`` spawned processes released together."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(count)
    workers = [context.Process(target=target, args=(path, n, start)) for n in range(count)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0] * count


def test_racing_processes_never_pass_the_daily_limit_together(bank: SqlBank) -> None:
    total = bank.total_balance()
    in_processes(_spend_daily, bank.location)  # 4 x 5 x 400 asked
    assert sent_by_amina(bank) == (12, Decimal("4800.00"))
    assert bank.total_balance() == total and bank.ledger_problems() == []


def test_one_key_raced_with_two_amounts_moves_money_once(bank: SqlBank) -> None:
    before = balances(bank, AMINA)[AMINA_SAVINGS]

    def attempt(n: int) -> str:
        amount = "100" if n % 2 else "200"
        try:
            done = bank.transfer(request("one-confirmation", amount))
        except IdempotencyConflict:
            return "conflict"
        return f"{done.amount} {done.reference} {'replayed' if done.replayed else 'first'}"

    outcomes = at_once(RACERS, attempt)
    [first] = [o for o in outcomes if o.endswith("first")]
    amount, reference, _ = first.split()
    # The winner's amount is the key's for good: every other request with it replays, every
    # request with the other amount is refused.
    assert sorted(outcomes) == sorted(
        [first] + [f"{amount} {reference} replayed"] * 9 + ["conflict"] * 10
    )
    assert sent_by_amina(bank) == (1, Decimal(amount))
    assert balances(bank, AMINA)[AMINA_SAVINGS] == before - Decimal(amount)


def test_transfers_crossing_between_two_customers_from_processes(bank: SqlBank) -> None:
    """Amina → Tunde and Tunde → Amina at once from four processes: SQLite's one writer means no
    deadlock as row locks could give, and every transfer lands (none is refused as busy)."""
    total, amina, tunde = bank.total_balance(), balances(bank, AMINA), balances(bank, TUNDE)
    in_processes(_cross, bank.location)
    rows = bank.db.rows(
        "SELECT COUNT(*) AS n FROM transfers"
        " WHERE idempotency_key LIKE 'a%' OR idempotency_key LIKE 'b%'"
    )
    assert rows[0]["n"] == 100
    assert balances(bank, AMINA) == amina and balances(bank, TUNDE) == tunde  # 50 each way
    assert bank.total_balance() == total and bank.ledger_problems() == []
