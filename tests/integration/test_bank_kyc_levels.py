"""Changing KYC levels and a customer's level on the demo bank (a real SQLite file): every rule
refused with its field and nothing written, and a change in force for the very next transfer —
the same bank object, no restart, nothing cached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count

import pytest

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.kyc import customer_level_problems, level_problems
from bank.limits import kyc_guard
from bank.ports import KycLevel, KycRefused, Limit, LimitExceeded, TransferRequest
from bank.seed import DEMO_SEED, load_file

# The demo seed's levels: 1 (500 / 1,000 / 5,000), 2 (2,000 / 5,000 / 30,000),
# 3 (10,000 / 25,000 / 200,000). Amina (C001) is at level 2, Ngozi (C003) at level 1.
AMINA, AMINA_SAVINGS = "C001", "0123456789"
LEVELS = [
    KycLevel(1, Decimal("500.00"), Decimal("1000.00"), Decimal("5000.00")),
    KycLevel(2, Decimal("2000.00"), Decimal("5000.00"), Decimal("30000.00")),
    KycLevel(3, Decimal("10000.00"), Decimal("25000.00"), Decimal("200000.00")),
]
keys = count()


@pytest.fixture
def bank(bank_database: str) -> Iterator[SqlBank]:
    demo = open_bank(
        bank_database,
        clock=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        guards=[kyc_guard],
    )
    load_file(demo, DEMO_SEED)
    demo.db.run("UPDATE accounts SET balance = 100000000 WHERE number = ?", AMINA_SAVINGS)
    yield demo
    demo.close()


def send(bank: SqlBank, amount: str) -> None:
    bank.transfer(
        TransferRequest(
            idempotency_key=f"kyc{next(keys)}",
            from_account=AMINA_SAVINGS,
            to_account="0987654321",
            to_bank_code="044",
            amount=Decimal(amount),
            narration="kyc",
            customer_id=AMINA,
        )
    )


def level(number: int, per: str, daily: str, monthly: str) -> KycLevel:
    return KycLevel(number, Decimal(per), Decimal(daily), Decimal(monthly))


def refused(bank: SqlBank, change: KycLevel) -> list[str]:
    with pytest.raises(KycRefused) as caught:
        bank.set_kyc_level(change)
    assert bank.kyc_levels() == LEVELS  # nothing written
    return caught.value.problems


def test_the_seeded_levels_are_the_ones_these_tests_expect(bank: SqlBank) -> None:
    assert bank.kyc_levels() == LEVELS


def test_a_raised_daily_limit_lets_the_next_transfer_through(bank: SqlBank) -> None:
    send(bank, "2000.00")
    send(bank, "2000.00")
    with pytest.raises(LimitExceeded) as over:
        send(bank, "1500.00")  # 5,500 today: over level 2's 5,000
    assert over.value.limit is Limit.DAILY
    bank.set_kyc_level(level(2, "2000.00", "6000.00", "30000.00"))
    assert bank.kyc_levels()[1].daily == Decimal("6000.00")
    send(bank, "1500.00")  # the same bank, the next movement: allowed now
    assert bank.limits(AMINA).left_today == Decimal("500.00")


def test_a_lowered_per_transaction_limit_refuses_the_next_transfer(bank: SqlBank) -> None:
    send(bank, "1500.00")
    bank.set_kyc_level(level(2, "1000.00", "5000.00", "30000.00"))
    with pytest.raises(LimitExceeded) as over:
        send(bank, "1500.00")
    assert (over.value.limit, over.value.allowed) == (Limit.PER_TRANSACTION, Decimal("1000.00"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (level(2, "0", "5000.00", "30000.00"), "per_transaction: more than 0"),
        (level(2, "2000.00", "-1", "30000.00"), "daily: more than 0"),
        (level(2, "2000.00", "5000.001", "30000.00"), "daily: more than 0, at most 2 decimals"),
        (level(2, "2000.00", "5000.00", "NaN"), "monthly: more than 0"),
        (level(2, "2000.00", "1500.00", "30000.00"), "daily: at least the per-transaction"),
        (level(2, "2000.00", "5000.00", "4000.00"), "monthly: at least the daily limit"),
        (level(2, "400.00", "5000.00", "30000.00"), "per_transaction: at least level 1's"),
        (level(2, "2000.00", "26000.00", "30000.00"), "daily: at most level 3's"),
        (level(1, "500.00", "1000.00", "40000.00"), "monthly: at most level 2's"),
        (level(3, "10000.00", "25000.00", "29999.99"), "monthly: at least level 2's"),
        (level(5, "10000.00", "25000.00", "200000.00"), "level: a new level is the next one, 4"),
        (level(0, "1.00", "1.00", "1.00"), "level: a whole number from 1"),
    ],
)
def test_a_change_that_breaks_a_rule_is_refused_with_its_field(
    bank: SqlBank, change: KycLevel, problem: str
) -> None:
    problems = refused(bank, change)
    assert any(p.startswith(problem) for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    change = level(2, "0", "1.005", "30000.00")
    assert [p.split(":")[0] for p in level_problems(change, LEVELS)] == ["per_transaction", "daily"]
    clash = level(2, "3000.00", "2500.00", "2000.00")  # out of order, and under level 1's
    assert level_problems(clash, LEVELS) == [
        "daily: at least the per-transaction limit (3,000.00)",
        "monthly: at least the daily limit (2,500.00)",
        "monthly: at least level 1's monthly limit (5,000.00): a higher level never allows less",
    ]


def test_exactly_a_neighbours_limit_is_allowed(bank: SqlBank) -> None:
    bank.set_kyc_level(level(2, "500.00", "1000.00", "5000.00"))  # level 1's, limit by limit
    bank.set_kyc_level(level(2, "10000.00", "25000.00", "200000.00"))  # level 3's
    assert bank.kyc_levels()[1] == level(2, "10000.00", "25000.00", "200000.00")


def test_the_next_level_can_be_added_and_a_customer_moved_to_it(bank: SqlBank) -> None:
    bank.set_kyc_level(level(4, "50000.00", "100000.00", "1000000.00"))
    assert [k.level for k in bank.kyc_levels()] == [1, 2, 3, 4]
    bank.set_customer_kyc_level(AMINA, 4)
    customer = bank.customer(AMINA)
    assert customer is not None and customer.kyc_level == 4
    send(bank, "40000.00")  # far over level 2's 2,000 per transaction
    assert bank.limits(AMINA).level == 4


def test_a_customer_moved_down_gets_the_lower_limits_at_the_next_transfer(
    bank: SqlBank,
) -> None:
    send(bank, "900.00")
    bank.set_customer_kyc_level(AMINA, 1)
    with pytest.raises(LimitExceeded) as over:
        send(bank, "600.00")  # level 1: 500 per transaction
    assert over.value.limit is Limit.PER_TRANSACTION
    send(bank, "100.00")  # 1,000 today: exactly level 1's daily limit
    assert bank.limits(AMINA).left_today == Decimal("0.00")


@pytest.mark.parametrize("wanted", [0, 4, -1])
def test_a_customer_level_the_bank_lacks_is_refused(bank: SqlBank, wanted: int) -> None:
    with pytest.raises(KycRefused) as caught:
        bank.set_customer_kyc_level(AMINA, wanted)
    assert caught.value.problems == ["level: one of the bank's KYC levels (1, 2, 3)"]
    customer = bank.customer(AMINA)
    assert customer is not None and customer.kyc_level == 2


def test_an_unknown_customer_is_refused(bank: SqlBank) -> None:
    with pytest.raises(KycRefused) as caught:
        bank.set_customer_kyc_level("C999", 1)
    assert caught.value.problems == ["customer: the bank has no such customer"]


def test_a_level_that_is_not_a_whole_number_is_refused() -> None:
    assert customer_level_problems(True, LEVELS)
    assert customer_level_problems("2", LEVELS)
    assert customer_level_problems(2, LEVELS) == []
