"""Transfers on a real SQLite file: idempotent, atomic, refused cleanly, ledger always balanced."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.ports import (
    AccountNotOwned,
    BankError,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    TransferRequest,
    UnknownAccount,
    UnknownBank,
)
from bank.seed import DEMO_SEED, load_file
from bank.sql import Connection
from tests.bank_locations import BankLocations

AMINA, AMINA_SAVINGS, AMINA_CURRENT = "C001", "0123456789", "0123456790"
TUNDE_CURRENT, CHIDI_AT_ACCESS = "0234567890", "0987654321"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def bank(bank_database: str) -> Iterator[SqlBank]:
    demo = open_bank(bank_database, clock=Clock())
    load_file(demo, DEMO_SEED)
    yield demo
    demo.close()


def pay(
    amount: str, key: str, to: str = TUNDE_CURRENT, bank_code: str = "001", who: str = AMINA
) -> TransferRequest:
    return TransferRequest(
        idempotency_key=key,
        from_account=AMINA_SAVINGS,
        to_account=to,
        to_bank_code=bank_code,
        amount=Decimal(amount),
        narration="lunch",
        customer_id=who,
    )


def balance(bank: SqlBank, number: str) -> Decimal:
    rows = bank.db.rows("SELECT balance FROM accounts WHERE number = ?", number)
    return Decimal(rows[0]["balance"]) / 100


def test_a_transfer_moves_money_with_balanced_legs(bank: SqlBank) -> None:
    total = bank.total_balance()
    done = bank.transfer(pay("150.00", "k1"))
    assert re.fullmatch(r"TX[A-Z0-9]{6}", done.reference) and not done.replayed
    assert (done.amount, done.status, done.from_account) == (
        Decimal("150.00"),
        "completed",
        AMINA_SAVINGS,
    )
    assert balance(bank, AMINA_SAVINGS) == Decimal("2350.00")
    assert balance(bank, TUNDE_CURRENT) == Decimal("18400.00")
    debit = bank.mini_statement(AMINA_SAVINGS)[0]
    credit = bank.mini_statement(TUNDE_CURRENT)[0]
    assert debit.txn_id == done.txn_id and debit.reference == credit.reference == done.reference
    assert debit.amount == -credit.amount == Decimal("-150.00")
    assert debit.balance_after == Decimal("2350.00") and debit.created_at == done.created_at
    # Counterparties are stored masked: a statement can't leak a full account number.
    assert debit.counterparty == "Tunde Bakare ••7890"
    assert credit.counterparty == "Amina Yusuf ••6789"
    assert bank.total_balance() == total and bank.ledger_problems() == []


def test_a_transfer_to_another_bank_credits_its_settlement_account(bank: SqlBank) -> None:
    total = bank.total_balance()
    bank.transfer(pay("99.99", "k2", to=CHIDI_AT_ACCESS, bank_code="044"))
    bank.transfer(pay("0.01", "k3", to=CHIDI_AT_ACCESS, bank_code="044"))
    assert balance(bank, AMINA_SAVINGS) == Decimal("2400.00")
    assert balance(bank, "SETTLE-044") == Decimal("100.00")
    assert bank.mini_statement(AMINA_SAVINGS)[0].counterparty == "Access Bank ••4321"
    assert bank.total_balance() == total and bank.ledger_problems() == []


def test_a_repeated_key_returns_the_first_result_and_debits_once(bank: SqlBank) -> None:
    first = bank.transfer(pay("10", "same"))
    again = bank.transfer(pay("10.00", "same"))
    assert again.replayed and not first.replayed
    assert again == dataclasses.replace(first, replayed=True)
    assert balance(bank, AMINA_SAVINGS) == Decimal("2490.00")
    assert len(bank.db.rows("SELECT 1 FROM transfers")) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "11"},
        {"to": AMINA_CURRENT},
        {"to": CHIDI_AT_ACCESS, "bank_code": "044"},
        {"who": "C002"},
    ],
)
def test_the_same_key_with_other_facts_is_refused(bank: SqlBank, change: dict[str, str]) -> None:
    bank.transfer(pay("10", "same"))
    request = pay(
        change.get("amount", "10"),
        "same",
        change.get("to", TUNDE_CURRENT),
        change.get("bank_code", "001"),
        change.get("who", AMINA),
    )
    with pytest.raises(IdempotencyConflict) as info:
        bank.transfer(request)
    assert info.value.key == "same"
    assert balance(bank, AMINA_SAVINGS) == Decimal("2490.00")


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "0.001", "NaN", "Infinity", "1e30"])
def test_bad_amounts_are_refused(bank: SqlBank, amount: str) -> None:
    with pytest.raises(InvalidAmount):
        bank.transfer(pay(amount, "bad"))


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (pay("2500.01", "r1"), InsufficientFunds),
        (pay("1", "r2", to="0000000000"), UnknownAccount),
        (pay("1", "r3", to=AMINA_SAVINGS), UnknownAccount),
        (pay("1", "r4", to="SETTLE-044"), UnknownAccount),
        (pay("1", "r5", to="EQUITY-OPENING"), UnknownAccount),
        (pay("1", "r6", bank_code="999"), UnknownBank),
        (pay("1", "r7", who="C002"), AccountNotOwned),
        (
            TransferRequest("r8", "9999999999", TUNDE_CURRENT, "001", Decimal(1), "", AMINA),
            UnknownAccount,
        ),
    ],
)
def test_refusals_write_nothing(
    bank: SqlBank, request_: TransferRequest, error: type[BankError]
) -> None:
    total, legs = bank.total_balance(), bank.db.rows("SELECT COUNT(*) AS n FROM ledger")[0]["n"]
    with pytest.raises(error):
        bank.transfer(request_)
    assert bank.total_balance() == total
    assert bank.db.rows("SELECT COUNT(*) AS n FROM ledger")[0]["n"] == legs
    assert bank.db.rows("SELECT COUNT(*) AS n FROM transfers")[0]["n"] == 0
    assert balance(bank, AMINA_SAVINGS) == Decimal("2500.00")


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_a_missing_or_oversized_idempotency_key_is_a_caller_bug(bank: SqlBank, key: str) -> None:
    with pytest.raises(ValueError, match="idempotency_key"):
        bank.transfer(pay("1", key))
    assert balance(bank, AMINA_SAVINGS) == Decimal("2500.00")


def test_insufficient_funds_says_what_is_available_and_the_key_stays_usable(
    bank: SqlBank,
) -> None:
    with pytest.raises(InsufficientFunds) as info:
        bank.transfer(pay("2600", "k"))
    assert info.value.available == Decimal("2500.00")
    assert not bank.transfer(pay("2500", "k")).replayed  # a refusal records nothing
    assert balance(bank, AMINA_SAVINGS) == Decimal("0.00")


def test_guards_run_inside_the_transaction_and_their_refusal_writes_nothing(
    bank_locations: BankLocations,
) -> None:
    class OverLimit(BankError):
        pass

    seen: list[bool] = []

    def at_most_100_per_day(db: Connection, req: TransferRequest, now: datetime) -> None:
        seen.append(db.in_transaction)
        spent = db.execute(
            "SELECT COALESCE(-SUM(amount), 0) AS s FROM ledger WHERE account_number = ?"
            " AND amount < 0 AND created_at >= ?",
            (req.from_account, now.replace(hour=0, minute=0).isoformat()),
        ).fetchone()["s"]
        if spent + int(req.amount * 100) > 100_00:
            raise OverLimit()

    bank = open_bank(bank_locations.new(), clock=Clock(), guards=[at_most_100_per_day])
    load_file(bank, DEMO_SEED)
    bank.transfer(pay("60", "a"))
    with pytest.raises(OverLimit):
        bank.transfer(pay("50", "b"))
    assert bank.transfer(pay("60", "a")).replayed  # replays skip guards: nothing new moves
    assert seen == [True, True] and balance(bank, AMINA_SAVINGS) == Decimal("2440.00")


def test_statements_newest_first_and_by_time_window(bank: SqlBank) -> None:
    results = [bank.transfer(pay(str(n), f"s{n}")) for n in (1, 2, 3)]
    mini = bank.mini_statement(AMINA_SAVINGS, limit=3)
    assert [t.amount for t in mini] == [Decimal("-3.00"), Decimal("-2.00"), Decimal("-1.00")]
    window = bank.transactions(AMINA_SAVINGS, results[0].created_at, results[2].created_at)
    assert [t.reference for t in window] == [results[0].reference, results[1].reference]
    october = bank.transactions(
        AMINA_SAVINGS, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert len(october) == 3 and all(t.created_at.month == 10 for t in october)
    with pytest.raises(ValueError, match="naive"):
        bank.transactions(AMINA_SAVINGS, datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert bank.mini_statement(AMINA_SAVINGS, limit=0) == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([AMINA_SAVINGS, AMINA_CURRENT]),
            st.sampled_from(
                [
                    ("001", TUNDE_CURRENT),
                    ("001", AMINA_CURRENT),
                    ("044", CHIDI_AT_ACCESS),
                    ("058", "0112233445"),
                ]
            ),
            st.integers(1, 150_000),
            st.integers(0, 5),  # a small key space, so some requests replay or conflict
        ),
        max_size=12,
    )
)
def test_random_transfers_keep_the_ledger_balanced(
    bank_locations: BankLocations,
    moves: list[tuple[str, tuple[str, str], int, int]],
) -> None:
    location = bank_locations.new()
    bank = open_bank(location, clock=Clock())
    load_file(bank, DEMO_SEED)
    total = bank.total_balance()
    for source, (code, to), cents, key in moves:
        request = TransferRequest(f"h{key}", source, to, code, Decimal(cents) / 100, "", AMINA)
        with contextlib.suppress(InsufficientFunds, IdempotencyConflict, UnknownAccount):
            bank.transfer(request)
    assert bank.total_balance() == total
    assert bank.ledger_problems() == []
    assert all(a.balance >= 0 for a in bank.accounts(AMINA))
    bank.close()
    bank_locations.discard(location)
