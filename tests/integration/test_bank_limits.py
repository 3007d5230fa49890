"""KYC limits at their edges on a real SQLite file: per transaction, daily across several
transfers, monthly, a lower daily cap from the channel, own-account transfers left out, and
the same check inside the transfer's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.ports import Limit, LimitExceeded, TransferRequest
from bank.seed import DEMO_SEED, load_file

# Tunde Bakare: KYC level 3 (10,000 per transaction, 25,000 a day, 200,000 a month).
TUNDE, TUNDE_CURRENT, TUNDE_SAVINGS = "C002", "0234567890", "0234567891"
AMINA_SAVINGS = "0123456789"
# Amina Yusuf: level 2 (2,000 per transaction, 5,000 a day).
AMINA = "C001"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bank(bank_database: str, clock: Clock) -> Iterator[SqlBank]:
    demo = open_bank(bank_database, clock=clock, guards=[kyc_guard])
    load_file(demo, DEMO_SEED)
    demo.db.run(  # room to test limits without running out of money
        "UPDATE accounts SET balance = 100000000 WHERE number IN (?, ?)",
        TUNDE_CURRENT,
        AMINA_SAVINGS,
    )
    yield demo
    demo.close()


counter = iter(range(10**6))


def send(
    bank: SqlBank,
    amount: str,
    *,
    source: str = TUNDE_CURRENT,
    to: str = "0987654321",
    code: str = "044",
    who: str = TUNDE,
    cap: str | None = None,
) -> Decimal:
    bank.transfer(
        TransferRequest(
            idempotency_key=f"k{next(counter)}",
            from_account=source,
            to_account=to,
            to_bank_code=code,
            amount=Decimal(amount),
            narration="limits",
            customer_id=who,
            daily_cap=Decimal(cap) if cap else None,
        )
    )
    return bank.limits(who).left_today


def refused(bank: SqlBank, amount: str, **kwargs: str) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        send(bank, amount, **kwargs)
    return caught.value


def test_exactly_the_per_transaction_limit_passes_one_cent_more_fails(bank: SqlBank) -> None:
    assert send(bank, "10000.00") == Decimal("15000.00")
    over = refused(bank, "10000.01")
    assert over.limit is Limit.PER_TRANSACTION and over.allowed == Decimal("10000.00")


def test_the_daily_aggregate_counts_every_transfer_of_the_day(bank: SqlBank, clock: Clock) -> None:
    status = bank.limits(TUNDE)
    assert (status.daily, status.left_today) == (Decimal("25000.00"), Decimal("25000.00"))
    send(bank, "10000.00")
    send(bank, "10000.00")
    assert send(bank, "4999.99") == Decimal("0.01")
    over = refused(bank, "0.02")
    assert over.limit is Limit.DAILY and over.left == Decimal("0.01")
    assert send(bank, "0.01") == Decimal("0.00")
    clock.now += timedelta(days=1)  # a new UTC day
    assert bank.limits(TUNDE).left_today == Decimal("25000.00")
    assert bank.limits(TUNDE).used_month == Decimal("25000.00")


def test_the_monthly_limit(bank: SqlBank, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    for _ in range(7):  # 7 days x 25,000 = 175,000
        for _ in range(3):
            send(bank, "8333.33")
        send(bank, "0.01")
        clock.now += timedelta(days=1)
    assert bank.limits(TUNDE).used_month == Decimal("175000.00")
    send(bank, "10000.00")
    send(bank, "10000.00")
    assert send(bank, "5000.00") == Decimal("0.00")
    clock.now += timedelta(days=1)
    over = refused(bank, "0.01")
    assert over.limit is Limit.MONTHLY and bank.limits(TUNDE).left_today == Decimal("0.00")
    clock.now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # a new month
    assert bank.limits(TUNDE).left_today == Decimal("25000.00")


def test_a_lower_cap_from_the_channel_only_tightens(bank: SqlBank) -> None:
    assert send(bank, "300.00", cap="500.00") == Decimal("24700.00")  # left under KYC alone
    assert bank.limits(TUNDE, Decimal("500.00")).left_today == Decimal("200.00")
    over = refused(bank, "200.01", cap="500.00")
    assert over.limit is Limit.DAILY and over.left == Decimal("200.00")
    over = refused(bank, "10000.01", cap="99999999.00")  # a higher cap loosens nothing
    assert over.limit is Limit.PER_TRANSACTION


def test_own_account_transfers_neither_count_nor_are_limited(bank: SqlBank) -> None:
    send(bank, "50000.00", to=TUNDE_SAVINGS, code="001")
    assert bank.limits(TUNDE).used_today == Decimal("0.00")
    # Someone else's account in this bank, or the same number at another bank, counts.
    send(bank, "100.00", to=AMINA_SAVINGS, code="001")
    assert bank.limits(TUNDE).used_today == Decimal("100.00")


def test_a_customer_the_bank_does_not_know_gets_no_allowance(bank: SqlBank) -> None:
    status = bank.limits("C999")
    assert (status.per_transaction, status.left_today) == (Decimal("0.00"), Decimal("0.00"))
    assert status.refusal(Decimal("0.01")) is not None


def test_today_and_this_month_are_summed_apart_from_last_month_and_own_accounts(
    bank: SqlBank, clock: Clock
) -> None:
    """One statement sums the day and the month (bank.limits): each sum has only its own."""
    clock.now = datetime(2026, 10, 31, 23, 59, tzinfo=UTC)
    send(bank, "7.00")  # last month: counts for neither
    clock.now = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    send(bank, "20.00")  # this month, an earlier day
    clock.now = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # the first instant of today counts
    send(bank, "3.00")
    send(bank, "500.00", to=TUNDE_SAVINGS, code="001")  # own account: counts for neither
    status = bank.limits(TUNDE)
    assert (status.used_today, status.used_month) == (Decimal("3.00"), Decimal("23.00"))
    assert status.level == 3 and status.per_transaction == Decimal("10000.00")
    assert bank.limits(AMINA).used_month == Decimal("0.00")  # another customer's sums are apart
