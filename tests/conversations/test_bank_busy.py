"""The demo bank's SQLite file busy: another connection holds the write lock for longer than the
busy timeout. A transfer then gets a clear "try again", moves nothing and leaves nothing half
done; once the lock is gone the same conversation goes on, with no restart.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

import bank.db
from app import Config, Services
from bot.store import LOCK_TTL_MS
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

TRY_AGAIN = "Sorry, we can't reach our systems right now. Please try again shortly."
SAVINGS = "0123456789"


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real timeout, shortened so a test needn't wait it out (its bound is tested below)."""
    monkeypatch.setattr(bank.db, "BUSY_TIMEOUT_S", 0.3)


@contextmanager
def write_locked(config: Config) -> Iterator[None]:
    """Another connection (a CLI, a backup, a stuck process) holding the bank's write lock."""
    other = sqlite3.connect(config.bank_database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def savings(services: Services) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == SAVINGS)


def test_the_busy_timeout_fits_inside_the_customer_lock() -> None:
    """A write waiting for the lock, then a Twilio call, must end before the per-customer lock
    lapses, or a second message could race the first."""
    assert bank.db.BUSY_TIMEOUT_S + Config().twilio_timeout_seconds < LOCK_TTL_MS / 1000


@pytest.mark.usefixtures("short_busy_timeout")
def test_a_transfer_while_the_bank_is_busy_says_try_again_and_moves_nothing(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    config: Config,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_amina(whatsapp, secure)
    total = services.bank.total_balance()
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")
    assert whatsapp.send(AMINA, "150").text.startswith("Send *USD 150.00* to Chidi Okeke")
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    code = secure.last_code(AMINA)
    caplog.set_level(logging.INFO)
    with write_locked(config):
        started = time.monotonic()
        reply = whatsapp.send(AMINA, code)
        assert time.monotonic() - started < 5
    assert reply.status == 200 and reply.text == TRY_AGAIN
    assert "Traceback" not in caplog.text
    assert savings(services) == Decimal("2500.00") and services.bank.total_balance() == total
    assert services.bank.ledger_problems() == []

    # The lock is gone: the same conversation goes on, no restart, and the money moves once.
    # The code passed before the bank refused, so it is used up: the customer is offered a new
    # one (not counted as a wrong try), and the transfer still waits for it.
    again = whatsapp.send(AMINA, code).text
    assert again.startswith("That code has expired or was already used. Reply *resend*"), again
    assert whatsapp.send(AMINA, "resend").text.startswith("We sent a new code by SMS")
    again = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert again.startswith("Done: USD 150.00 sent to Chidi Okeke"), again
    assert savings(services) == Decimal("2350.00") and services.bank.total_balance() == total
    assert whatsapp.send(AMINA, "balance").status == 200


@pytest.mark.usefixtures("short_busy_timeout")
def test_a_balance_while_the_bank_is_busy_still_reads(
    whatsapp: WhatsApp, secure: SecurePages, config: Config
) -> None:
    """Readers never wait for the writer (WAL): a balance is answered during the lock."""
    register_amina(whatsapp, secure)
    with write_locked(config):
        text = whatsapp.send(AMINA, "balance").text
    assert "2,500.00" in text or "2500.00" in text, text
