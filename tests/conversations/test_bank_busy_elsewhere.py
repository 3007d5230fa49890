"""The demo bank's SQLite file busy (another connection holds the write lock past the busy
timeout) outside the webhook: a secure page answers the bank's own "try again in a minute" page
(503, ``Retry-After``), so does the staff console, and a job that moves money is retried —
never a 500 or a traceback, nothing half done, and the same request goes through once the lock
is gone. (The webhook's own answer is in ``test_bank_busy.py``.)
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal

import pytest
from flask import Flask
from rq import Retry, SimpleWorker
from rq.serializers import JSONSerializer

import bank.db
from app import Config, Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_bank_busy import write_locked
from tests.conversations.test_card_journeys import confirmed
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import savings, send_to_mobile
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.integration.test_kyc_console_pages import LEVEL_2, WHY, admin_on_kyc, version_of
from tests.secure_pages import SecurePages, link_in
from workers.queues import MESSAGES_QUEUE, queue_for


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real timeout, shortened so a test needn't wait it out."""
    monkeypatch.setattr(bank.db, "BUSY_TIMEOUT_S", 0.3)


def test_a_secure_page_says_try_again_in_a_minute_and_the_same_form_works_after(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    config: Config,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "cards")
    path = link_in(confirmed(whatsapp, secure, "2"))
    before = services.bank.db.rows("SELECT count(*) AS n FROM card_pins")[0]["n"]
    caplog.set_level(logging.INFO)
    shown = re.search(r'name="csrf_token" value="([^"]+)"', secure.get(path).text)
    assert shown is not None  # the form, as the browser shows it, with its CSRF token
    form = {"new_pin": "8305", "repeat_pin": "8305", "csrf_token": shown.group(1)}
    with write_locked(config):
        busy = secure.client.post(path, data=form)
    text = busy.get_data(as_text=True)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    assert "Our banking system is busy" in text and "try again in a minute" in text
    assert "Traceback" not in text + caplog.text
    assert services.bank.db.rows("SELECT count(*) AS n FROM card_pins")[0]["n"] == before
    done = secure.post(path, {"new_pin": "8305", "repeat_pin": "8305"})  # the link still works
    assert done.status == 200 and "Your card PIN is changed" in done.text


def test_the_console_says_try_again_in_a_minute_and_saves_nothing(
    app: Flask, services: Services, clock: FrozenClock, config: Config,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    console, text = admin_on_kyc(app, services, clock)
    form = {**LEVEL_2, "daily": "6,000", "reason": WHY, "version": version_of(text, "level-2")}
    caplog.set_level(logging.INFO)
    with write_locked(config):
        busy = console.post("/admin/kyc/levels/2", form)
    page = busy.get_data(as_text=True)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    assert "system is busy" in page and "Try again in a minute" in page
    assert "Traceback" not in page + caplog.text
    assert services.bank.kyc_levels()[1].daily == Decimal("5000.00")
    saved = console.post("/admin/kyc/levels/2", form)
    assert saved.status_code == 303 and services.bank.kyc_levels()[1].daily == Decimal("6000.00")


def test_a_refund_job_meeting_a_busy_bank_is_retried_and_refunds_once(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    config: Config,
    clock: FrozenClock,
    outbox: OutboxMessenger,
) -> None:
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, "0803 999 9999", "25")
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    job = queue_for(MESSAGES_QUEUE, services.rq_redis).enqueue(
        "workers.claims.refund_claim", claim, retry=Retry(max=2, interval=[0, 0])
    )
    worker = SimpleWorker(
        [queue_for(MESSAGES_QUEUE, services.rq_redis)],
        connection=services.rq_redis,
        serializer=JSONSerializer,
    )
    with write_locked(config):
        worker.work(burst=True, max_jobs=1)
    assert job.get_status(refresh=True) == "queued"  # to be tried again, not failed
    assert savings(services) == Decimal("2475.00")  # nothing moved
    worker.work(burst=True)
    assert job.get_status(refresh=True) == "finished" and job.return_value() == "refunded"
    assert savings(services) == Decimal("2500.00") and services.bank.ledger_problems() == []
