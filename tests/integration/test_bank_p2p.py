"""Money sent to a mobile number on a real SQLite file: held once per key, claimed into the
recipient's own wallet or refunded at expiry, never both; the ledger stays balanced."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.ports import Claim, ClaimGone, TransferRequest, TransferResult
from bank.seed import DEMO_SEED, load_file

AMINA_SAVINGS = "0123456789"
GRACE = "+2348030000005"  # Grace Okafor (C005), given a wallet below
STRANGER = "+2348039999999"


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
    yield demo
    demo.close()


def hold(
    bank: SqlBank, clock: Clock, to: str, key: str = "k1", amount: str = "25.00"
) -> tuple[TransferResult, Claim]:
    request = TransferRequest(key, AMINA_SAVINGS, "", "", Decimal(amount), "p2p", "C001")
    return bank.hold_for_mobile(request, to, clock.now + timedelta(days=7))


def savings(bank: SqlBank) -> Decimal:
    return next(a.balance for a in bank.accounts("C001") if a.number == AMINA_SAVINGS)


def give_grace_a_wallet(bank: SqlBank) -> str:
    bank.db.run(
        "INSERT INTO accounts (number, customer_id, type, currency, balance)"
        " VALUES ('0567899999', 'C005', 'wallet', 'USD', 0)"
    )
    return "0567899999"


def test_a_hold_is_made_once_per_key(bank: SqlBank, clock: Clock) -> None:
    total = bank.total_balance()
    _, claim = hold(bank, clock, STRANGER)
    again, same = hold(bank, clock, STRANGER)
    assert again.replayed and same.claim_id == claim.claim_id
    assert (claim.status, claim.amount, claim.msisdn) == ("pending", Decimal("25.00"), STRANGER)
    assert savings(bank) == Decimal("2475.00")
    assert bank.total_balance() == total and bank.ledger_problems() == []
    assert bank.limits("C001").used_today == Decimal("25.00")  # it counts toward the limits


def test_refunded_only_at_expiry_and_only_once(bank: SqlBank, clock: Clock) -> None:
    _, claim = hold(bank, clock, STRANGER)
    assert bank.refund_claim(claim.claim_id) is None  # not expired yet
    clock.now += timedelta(days=7)
    assert bank.expired_claims() == [claim.claim_id]
    refunded = bank.refund_claim(claim.claim_id)
    assert refunded is not None and refunded.status == "refunded"
    assert bank.refund_claim(claim.claim_id) is None
    assert savings(bank) == Decimal("2500.00") and bank.ledger_problems() == []


def test_claimed_into_the_recipients_own_wallet_only(bank: SqlBank, clock: Clock) -> None:
    wallet = give_grace_a_wallet(bank)
    _, claim = hold(bank, clock, GRACE)
    with pytest.raises(ClaimGone):  # not Grace's wallet
        bank.claim_into_wallet(claim.claim_id, AMINA_SAVINGS)
    claimed = bank.claim_into_wallet(claim.claim_id, wallet)
    assert claimed.status == "claimed"
    assert bank.wallet_of(GRACE) is not None
    assert bank.wallet_of(GRACE).balance == Decimal("25.00")
    with pytest.raises(ClaimGone):
        bank.claim_into_wallet(claim.claim_id, wallet)
    clock.now += timedelta(days=8)
    assert bank.refund_claim(claim.claim_id) is None  # claimed: nothing to refund


def test_an_expired_claim_can_not_be_claimed(bank: SqlBank, clock: Clock) -> None:
    wallet = give_grace_a_wallet(bank)
    _, claim = hold(bank, clock, GRACE)
    clock.now += timedelta(days=7)
    with pytest.raises(ClaimGone):
        bank.claim_into_wallet(claim.claim_id, wallet)


def test_racing_claims_pay_once(bank: SqlBank, clock: Clock) -> None:
    wallet = give_grace_a_wallet(bank)
    for n in range(10):
        _, claim = hold(bank, clock, GRACE, key=f"race{n}", amount="1.00")

        def claim_it(claim_id: str = claim.claim_id) -> str:
            try:
                return bank.claim_into_wallet(claim_id, wallet).status
            except ClaimGone:
                return "gone"

        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = [f.result() for f in [pool.submit(claim_it) for _ in range(4)]]
        assert sorted(outcomes) == ["claimed", "gone", "gone", "gone"]
    assert bank.wallet_of(GRACE).balance == Decimal("10.00")
    assert bank.ledger_problems() == []
