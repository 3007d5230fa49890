"""The KYC impact replay at its edges, with no Redis or bank: movements replayed in time order
per customer, exactly the limit passing, what was over a limit not counting towards the day,
days and months on the bank's UTC books, and one line per limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from admin.kyc.replay import Allowance, History, Movement, replay

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEVEL_2 = Allowance(Decimal("2000.00"), Decimal("5000.00"), Decimal("30000.00"))


def moved(amount: str, hours: float = 0, who: str = "C001") -> Movement:
    return Movement(who, T0 + timedelta(hours=hours), Decimal(amount))


def lines(history: History, before: Allowance, after: Allowance) -> list[tuple[str, int, int, int]]:
    impact = replay(history, lambda m: True, lambda m: before, lambda m: after)
    assert (impact.days, impact.what) == (30, "over the limit")
    return [(line.label, line.replayed, line.before, line.after) for line in impact.lines]


def test_a_lower_per_transaction_limit_counts_each_movement_over_it() -> None:
    history = History((moved("1500.00"), moved("1000.00", 1), moved("1000.01", 2)))
    lower = Allowance(Decimal("1000.00"), Decimal("5000.00"), Decimal("30000.00"))
    assert lines(history, LEVEL_2, lower) == [
        ("per-transaction limit", 3, 0, 2),  # exactly 1,000.00 passes
        ("daily limit", 3, 0, 0),
        ("monthly limit", 3, 0, 0),
    ]


def test_the_day_adds_up_per_customer_and_what_is_refused_does_not_count() -> None:
    history = History(
        (
            moved("2000.00"),
            moved("2000.00", 1),
            moved("2000.00", 2),  # 6,000 today: over 5,000
            moved("1000.00", 3),  # 5,000 with the third refused: passes
            moved("2000.00", 3, who="C004"),  # another customer's day
        )
    )
    lower = Allowance(Decimal("2000.00"), Decimal("4000.00"), Decimal("30000.00"))
    assert lines(history, LEVEL_2, lower)[1] == ("daily limit", 5, 1, 2)


def test_a_new_utc_day_starts_afresh_and_the_month_carries_on() -> None:
    days = tuple(moved("4000.00", hours=24 * n) for n in range(8))  # 32,000 over 8 days
    wide = Allowance(Decimal("5000.00"), Decimal("5000.00"), Decimal("30000.00"))
    assert lines(History(days), wide, wide) == [
        ("per-transaction limit", 8, 0, 0),
        ("daily limit", 8, 0, 0),
        ("monthly limit", 8, 1, 1),  # the 8th: 28,000 + 4,000 > 30,000
    ]
    december = (*days[:7], Movement("C001", datetime(2026, 12, 1, 0, 0, tzinfo=UTC), Decimal(4000)))
    assert lines(History(december), wide, wide)[2] == ("monthly limit", 8, 0, 0)


def test_only_the_movements_the_change_concerns_are_replayed() -> None:
    history = History((moved("1500.00"), moved("1500.00", who="C002")))
    impact = replay(
        history, lambda m: m.customer_id == "C002", lambda m: LEVEL_2, lambda m: LEVEL_2
    )
    assert [line.replayed for line in impact.lines] == [1, 1, 1]
    assert impact.replayed == 1  # each line replays the same movement: once in all
    assert impact.note == ""


def test_nothing_to_replay_says_so() -> None:
    impact = replay(History(()), lambda m: True, lambda m: LEVEL_2, lambda m: LEVEL_2)
    assert impact.note == "no money movement this change concerns in the last 30 days"
    capped = History((), capped_at=T0)
    assert "only the newest 50,000 audit entries were read, back to 2026-11-02 09:00" in (
        replay(capped, lambda m: True, lambda m: LEVEL_2, lambda m: LEVEL_2).note
    )
