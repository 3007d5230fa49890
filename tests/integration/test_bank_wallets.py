"""Opening a wallet in the demo bank (a real SQLite file): the customer, the wallet at KYC level
1, the terms version and the money held for the number arrive together or not at all; one
wallet per number and per national ID, even with two openings racing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from bank.demo import SqlBank, SqliteBank
from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.ports import TransferRequest
from bank.seed import DEMO_SEED, load_file
from bank.wallet_types import Taken, WalletOpening, WalletRefused

BOLA = "+2348039990001"
AMINA_SAVINGS = "0123456789"


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


def bola(msisdn: str = BOLA, national_id: str = "29876543210") -> WalletOpening:
    return WalletOpening(
        "Bola Ade", msisdn, "bola@example.com", date(2001, 9, 30), national_id, "2026-01"
    )


def hold(bank: SqlBank, clock: Clock, key: str, amount: str, days: int = 7) -> str:
    request = TransferRequest(key, AMINA_SAVINGS, "", "", Decimal(amount), "p2p", "C001")
    _, claim = bank.hold_for_mobile(request, BOLA, clock.now + timedelta(days=days))
    return claim.claim_id


def test_a_wallet_opens_at_level_1_with_nothing_in_it(bank: SqlBank) -> None:
    opened = bank.open_wallet(bola())
    assert opened.customer.kyc_level == 1
    assert opened.customer.msisdn == BOLA and opened.customer.chat_banking
    assert bank.customer_by_msisdn(BOLA) == opened.customer
    assert opened.wallet.type == "wallet" and opened.wallet.balance == Decimal("0.00")
    assert bank.wallet_of(BOLA) == opened.wallet
    assert opened.claims == ()
    assert bank.terms_accepted(opened.customer.customer_id) == "2026-01"
    assert bank.limits(opened.customer.customer_id).per_transaction == Decimal("500.00")
    assert bank.ledger_problems() == []


def test_money_held_for_the_number_is_paid_in_once(bank: SqlBank, clock: Clock) -> None:
    first = hold(bank, clock, "k1", "25.00")
    second = hold(bank, clock, "k2", "10.50")
    clock.now += timedelta(hours=1)
    opened = bank.open_wallet(bola())
    assert {c.claim_id for c in opened.claims} == {first, second}
    assert all(c.status == "claimed" for c in opened.claims)
    assert opened.wallet.balance == Decimal("35.50")
    assert bank.expired_claims() == []
    assert bank.ledger_problems() == []


def test_an_expired_claim_is_left_for_the_refund(bank: SqlBank, clock: Clock) -> None:
    old = hold(bank, clock, "k1", "25.00", days=1)
    clock.now += timedelta(days=2)
    opened = bank.open_wallet(bola())
    assert opened.claims == () and opened.wallet.balance == Decimal("0.00")
    assert bank.expired_claims() == [old]


def test_one_wallet_per_number_and_per_national_id(bank: SqlBank) -> None:
    bank.open_wallet(bola())
    with pytest.raises(WalletRefused) as number:
        bank.open_wallet(bola(national_id="29876543211"))
    assert number.value.reason is Taken.NUMBER
    with pytest.raises(WalletRefused) as nin:
        bank.open_wallet(bola(msisdn="+2348039990002"))
    assert nin.value.reason is Taken.NATIONAL_ID
    # A seeded customer's number and national ID are taken too (Amina's, Grace's off-chat one).
    assert bank.wallet_taken("+2348030000005", "29876543213") is Taken.NUMBER
    assert bank.wallet_taken("+2348039990009", "12345678901") is Taken.NATIONAL_ID
    assert bank.wallet_taken("+2348039990009", "29876543213") is None
    assert len(bank.list_customers()) == 7


def test_two_openings_racing_make_one_wallet(bank: SqlBank) -> None:
    def attempt(_: int) -> str:
        try:
            return bank.open_wallet(bola()).customer.customer_id
        except WalletRefused as exc:
            return exc.reason.value

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, range(6)))
    assert sum(1 for r in results if r.startswith("W")) == 1
    assert results.count("number_taken") == 5
    assert len([a for a in bank.list_customers() if a.msisdn == BOLA]) == 1


def test_a_failure_mid_way_leaves_nothing(bank: SqlBank, clock: Clock) -> None:
    claim = hold(bank, clock, "k1", "25.00")
    before = bank.total_balance()
    # The last write of the opening fails: the customer, account and claim before it roll back.
    if isinstance(bank, SqliteBank):
        failure: type[Exception] = sqlite3.IntegrityError
        bank.db.run(
            "CREATE TRIGGER fail_opening BEFORE INSERT ON ledger"
            " WHEN NEW.description = 'Money received by mobile number'"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    else:
        failure = psycopg.errors.RaiseException
        bank.db.run(
            "CREATE FUNCTION fail_opening() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF NEW.description = 'Money received by mobile number' THEN"
            " RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$"
        )
        bank.db.run(
            "CREATE TRIGGER fail_opening BEFORE INSERT ON ledger"
            " FOR EACH ROW EXECUTE FUNCTION fail_opening()"
        )
    with pytest.raises(failure):
        bank.open_wallet(bola())
    assert bank.customer_by_msisdn(BOLA) is None
    assert bank.wallet_of(BOLA) is None
    assert bank.db.rows("SELECT COUNT(*) AS n FROM wallet_openings")[0]["n"] == 0
    assert bank.claim(claim) is not None and bank.claim(claim).status == "pending"
    assert bank.total_balance() == before
    bank.db.run(
        "DROP TRIGGER fail_opening" + ("" if isinstance(bank, SqliteBank) else " ON ledger")
    )
    assert bank.open_wallet(bola()).wallet.balance == Decimal("25.00")
