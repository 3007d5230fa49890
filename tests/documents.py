"""Helpers for document tests: transfers through the demo bank, running queued jobs in-process
(RQ's SimpleWorker on the test's real Redis), and reading what the outbox received."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlparse

from flask.testing import FlaskClient
from pypdf import PdfReader
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from app import Services
from bank.ports import TransferRequest
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from workers.queues import QUEUES, queue_for

AMINA_ID = "C001"
AMINA_SAVINGS = "0123456789"
TUNDE_CURRENT = "0234567890"
CHIDI_AT_ACCESS = "0987654321"
_PASSWORD = re.compile(r"password for your \w+ (\S+) is ([2-9A-Z]{10})\b")


def transfer(
    services: Services, key: str, amount: str = "150.00", to: str = CHIDI_AT_ACCESS
) -> int:
    """A transfer through the demo bank's own transfer function; returns the debit's txn id.
    Amina confirmed it in the chat just now, as a transfer is: her 24-hour window is open."""
    bank_code = "044" if to == CHIDI_AT_ACCESS else "001"
    request = TransferRequest(key, AMINA_SAVINGS, to, bank_code, Decimal(amount), "Rent", AMINA_ID)
    services.outbound.window.seen(AMINA, services.clock())
    return services.bank.transfer(request).txn_id


def run_jobs(connection: Redis) -> None:
    """Drain every queue once in this process (jobs use the installed job context)."""
    queues = [queue_for(name, connection) for name in QUEUES]
    SimpleWorker(queues, connection=connection, serializer=JSONSerializer).work(burst=True)


def media_messages(outbox: OutboxMessenger, msisdn: str) -> list[dict[str, object]]:
    return [m for m in outbox.messages(msisdn) if m["channel"] == "whatsapp" and m["media_urls"]]


def sms_passwords(outbox: OutboxMessenger, msisdn: str) -> list[tuple[str, str]]:
    """(reference, password) from every password SMS, oldest first."""
    found = []
    for message in outbox.messages(msisdn):
        match = _PASSWORD.search(str(message["body"])) if message["channel"] == "sms" else None
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def fetch(client: FlaskClient, url: str) -> tuple[int, bytes, dict[str, str]]:
    response = client.get(urlparse(url).path)
    return response.status_code, response.get_data(), dict(response.headers)


def pdf_text(pdf: bytes, password: str) -> str:
    reader = PdfReader(BytesIO(pdf))
    assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)
