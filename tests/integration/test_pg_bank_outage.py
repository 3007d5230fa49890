"""The PostgreSQL bank down, busy and back: every failure is the port's ``BankUnavailable`` (a
"try again", never a driver error reaching a caller), nothing is half-written, ``/readyz`` says
the bank is unavailable, and the same bank object works again once the server is back — no
restart of Teller, its pooled connections replaced as they turn out dropped.

These tests stop a server, so they run on one of their own (not the test process's shared one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

import bank.pg_db
from app import DEMO_SEED, Config, ConfigError, build_services
from bank.engines import PostgresBank
from bank.limits import kyc_guard
from bank.ports import BankUnavailable, TransferRequest
from bank.seed import load_file
from tests.conftest import AMINA as AMINA_PHONE
from tests.conftest import BASE_URL
from tests.conversations.test_bank_busy import TRY_AGAIN
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.postgres_server import PostgresServer, binaries
from tests.secure_pages import SecurePages

AMINA, SAVINGS, TUNDE_CURRENT = "C001", "0123456789", "0234567890"
TIMEOUT_S = 1.0  # the busy timeout, shortened so a test needn't wait out the real one


def pay(key: str, amount: str = "100") -> TransferRequest:
    return TransferRequest(key, SAVINGS, TUNDE_CURRENT, "001", Decimal(amount), "", AMINA)


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    if binaries() is None:
        pytest.fail("PostgreSQL's server binaries are missing (make test installs them)")
    own = PostgresServer().start()
    yield own
    own.stop()


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank.pg_db, "BUSY_TIMEOUT_S", TIMEOUT_S)


@pytest.fixture
def url(server: PostgresServer) -> Iterator[str]:
    location = server.new_database()
    yield location
    if server.process is None:  # a test that failed while the server was down
        server.serve()
    bank.pg_db.close_all(location)
    server.drop(location)


@pytest.fixture
def pg_bank(url: str, short_timeout: None) -> Iterator[PostgresBank]:
    demo = PostgresBank(url, guards=[kyc_guard])
    load_file(demo, DEMO_SEED)
    yield demo
    demo.close()


def bank_errors() -> float:
    sample = REGISTRY.get_sample_value(
        "teller_dependency_errors_total", {"dependency": "bank", "where": "webhook"}
    )
    return sample or 0.0


def savings(demo: PostgresBank) -> Decimal:
    return next(a.balance for a in demo.accounts(AMINA) if a.number == SAVINGS)


def test_down_is_unavailable_and_back_is_served_by_the_same_bank(
    server: PostgresServer, pg_bank: PostgresBank
) -> None:
    pg_bank.transfer(pay("before"))
    server.halt()
    for call in (
        pg_bank.ping,
        lambda: pg_bank.accounts(AMINA),
        lambda: pg_bank.transfer(pay("during")),
        lambda: pg_bank.limits(AMINA),
    ):
        started = time.monotonic()
        with pytest.raises(BankUnavailable):
            call()
        assert time.monotonic() - started < TIMEOUT_S + 5
    server.serve()
    # The pool's connections all died with the server: the first use of each finds it dropped
    # and takes a new one, so no caller sees a failure now the server answers again.
    assert pg_bank.transfer(pay("during")).replayed is False
    assert pg_bank.transfer(pay("before")).replayed is True
    assert savings(pg_bank) == Decimal("2300.00") and pg_bank.ledger_problems() == []


def test_a_locked_account_is_a_try_again_and_moves_nothing(url: str, pg_bank: PostgresBank) -> None:
    """Another session (a console query, a stuck process) holds Amina's account row past the
    busy timeout: the transfer gives up in time with BankUnavailable; readers still read."""
    other = psycopg.connect(url)
    other.execute("SELECT * FROM accounts WHERE number = %s FOR UPDATE", (SAVINGS,))
    try:
        started = time.monotonic()
        with pytest.raises(BankUnavailable):
            pg_bank.transfer(pay("k1"))
        assert time.monotonic() - started < TIMEOUT_S + 5
        assert savings(pg_bank) == Decimal("2500.00")  # MVCC: the lock stops no reader
    finally:
        other.rollback()
        other.close()
    assert pg_bank.transfer(pay("k1")).replayed is False
    assert savings(pg_bank) == Decimal("2400.00") and pg_bank.ledger_problems() == []


def test_a_transfer_waiting_for_a_short_lock_goes_through(url: str, pg_bank: PostgresBank) -> None:
    """A lock held for less than the busy timeout is waited out, as SQLite's writer does."""
    other = psycopg.connect(url)
    other.execute("SELECT * FROM accounts WHERE number = %s FOR UPDATE", (SAVINGS,))
    release = threading.Timer(TIMEOUT_S / 4, other.rollback)
    release.start()
    try:
        assert pg_bank.transfer(pay("k1")).replayed is False
    finally:
        release.join()
        other.close()
    assert savings(pg_bank) == Decimal("2400.00")


@pytest.fixture
def config(url: str, redis_url: str, short_timeout: None) -> Config:
    """The app on this module's PostgreSQL (conftest's ``services`` and ``app`` use it)."""
    return Config(
        redis_url=redis_url,
        public_base_url=BASE_URL,
        bank_database=url,
        bank_seed=str(DEMO_SEED),
    )


def test_readyz_says_the_bank_is_unavailable_while_it_is_down(
    server: PostgresServer, client: FlaskClient
) -> None:
    assert client.get("/readyz").get_json()["checks"]["bank"] == "ok"
    server.halt()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["checks"]["bank"] == "unavailable (BankUnavailable)"
    server.serve()
    assert client.get("/readyz").status_code == 200


def test_a_customer_is_told_to_try_again_while_it_is_down(
    server: PostgresServer,
    whatsapp: WhatsApp,
    secure: SecurePages,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_amina(whatsapp, secure)
    counted = bank_errors()
    server.halt()
    caplog.set_level(logging.INFO)
    reply = whatsapp.send(AMINA_PHONE, "balance")
    assert reply.status == 200 and reply.text == TRY_AGAIN
    assert "Traceback" not in caplog.text
    assert bank_errors() == counted + 1  # the metrics' bank errors, as for SQLite's busy file
    server.serve()
    text = whatsapp.send(AMINA_PHONE, "balance").text
    assert "2,500.00" in text or "2500.00" in text, text


@pytest.mark.usefixtures("short_timeout")
def test_a_bank_down_at_start_refuses_to_start_naming_the_setting(redis_url: str) -> None:
    config = Config(
        redis_url=redis_url,
        public_base_url=BASE_URL,
        bank_database="postgresql://teller:s3cret-pw@127.0.0.1:1/bank",
    )
    with pytest.raises(ConfigError) as refused:
        build_services(config)
    [problem] = refused.value.problems
    assert problem.startswith("BANK_DATABASE: postgresql://teller@127.0.0.1:1/bank did not answer")
    assert "s3cret-pw" not in str(refused.value)
