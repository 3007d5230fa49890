"""Logs of document delivery never hold a PDF password, a date of birth, a full account number or
a full phone number (SECURITY.md 20), whichever way the PDFs open."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from app import Config, Services, build_services, create_app
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.documents import (
    AMINA_SAVINGS,
    CHIDI_AT_ACCESS,
    fetch,
    media_messages,
    pdf_text,
    run_jobs,
    transfer,
)
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from workers.jobs import enqueue_receipt

AMINA_DOB = ("1990-04-12", "12041990")


def deliver_everything(services: Services, client: FlaskClient, config: Config) -> OutboxMessenger:
    outbox = services.messenger
    assert isinstance(outbox, OutboxMessenger)
    services.auth.sessions.create(AMINA, services.clock())
    enqueue_receipt(services.rq_redis, transfer(services, "hygiene"))
    whatsapp = WhatsApp(client, config.twilio_auth_token, config.public_base_url)
    for said in ("statement pdf", "1", "1"):
        whatsapp.send(AMINA, said)
    run_jobs(services.rq_redis)
    for message in media_messages(outbox, AMINA):
        assert fetch(client, str(message["media_urls"][0]))[0] == 200
    return outbox


@pytest.fixture(params=["random", "dob"])
def unlock_services(
    request: pytest.FixtureRequest, config: Config, clock: FrozenClock
) -> Iterator[Services]:
    built = build_services(replace(config, document_unlock=request.param), clock=clock)
    yield built
    built.close()


def test_document_logs_hold_no_passwords_or_personal_numbers(
    unlock_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    services = unlock_services
    app = create_app(services=services)
    outbox = deliver_everything(services, app.test_client(), services.config)
    assert len(media_messages(outbox, AMINA)) == 2
    secrets = [AMINA, AMINA.lstrip("+"), AMINA_SAVINGS, CHIDI_AT_ACCESS, *AMINA_DOB]
    for message in outbox.messages(AMINA):
        if message["channel"] == "sms" and "password for your" in str(message["body"]):
            secrets.append(str(message["body"]).split(" is ")[1].split(".")[0])
    if services.config.document_unlock == "random":
        assert len(secrets) == 8  # both passwords were found, so the check means something
    else:  # no password SMS: the PDFs open with the date of birth, as their caption says
        assert len(secrets) == 6
        [receipt, _] = media_messages(outbox, AMINA)
        assert "date of birth as DDMMYYYY" in str(receipt["body"])
        _, pdf, _ = fetch(app.test_client(), str(receipt["media_urls"][0]))
        assert "••6789" in pdf_text(pdf, "12041990")
    text = caplog.text
    assert "document receipt:" in text and "document statement:" in text  # it does log
    for secret in secrets:
        assert secret not in text, secret
