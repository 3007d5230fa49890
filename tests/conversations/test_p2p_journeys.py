"""Sending to a mobile number (P2P_CREATE) through the real webhook and the real bank: a number
with no wallet gets the money held and an SMS with a one-time claim link (the page explains how
to open a wallet), and an unclaimed amount goes back at expiry with a message to both; a number
with a wallet is paid at once."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlparse

from flask.testing import FlaskClient
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages
from workers.claims import refund_claim
from workers.queues import MESSAGES_QUEUE

SAVINGS = "0123456789"
FRIEND = "+2348039999999"  # no wallet, not a customer
GRACE = "+2348030000005"  # Grace Okafor, given a wallet in a test
_LINK = re.compile(r"https://\S+/claim/(\S+)")


def savings(services: Services) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == SAVINGS)


def send_to_mobile(whatsapp: WhatsApp, secure: SecurePages, number: str, amount: str) -> str:
    whatsapp.send(AMINA, "transfer")
    assert "their mobile number" in whatsapp.send(AMINA, "a mobile number").text
    whatsapp.send(AMINA, number)
    summary = whatsapp.send(AMINA, amount).text
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    return summary + "\n" + whatsapp.send(AMINA, secure.last_code(AMINA)).text


def claim_link(outbox: OutboxMessenger, number: str) -> str:
    texts = [m["body"] for m in outbox.messages(number) if m["channel"] == "sms"]
    found = _LINK.search(texts[-1])
    assert found, texts
    return urlparse(found.group(0)).path


def test_held_for_a_number_without_a_wallet_then_refunded(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    client: FlaskClient,
    clock: FrozenClock,
) -> None:
    register_amina(whatsapp, secure)
    total = services.bank.total_balance()
    said = send_to_mobile(whatsapp, secure, "0803 999 9999", "25")
    assert "+234•••••9999 has no Demo Bank wallet yet. Send *USD 25.00*" in said
    assert "Done: USD 25.00 is held for +234•••••9999" in said
    assert savings(services) == Decimal("2475.00")
    sms = [m["body"] for m in outbox.messages(FRIEND) if m["channel"] == "sms"][-1]
    assert sms.startswith("Amina sent you USD 25.00 with Demo Bank. Claim it by 09 Nov 2026")
    path = claim_link(outbox, FRIEND)
    token = path.rsplit("/", 1)[1]
    assert token not in str(services.redis.keys("*"))  # only its digest, in the bank

    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Money is waiting for you" in text
    assert "send <strong>open wallet</strong>" in text and page.headers["Cache-Control"]
    assert client.post(path).status_code == 400  # CSRF: nothing to claim into anyway
    assert client.get(path + "x").status_code == 404

    registry = ScheduledJobRegistry(  # type: ignore[no-untyped-call]
        MESSAGES_QUEUE, connection=services.rq_redis, serializer=JSONSerializer
    )
    jobs = [services.rq_redis.hget(f"rq:job:{j}", "description") for j in registry.get_job_ids()]
    assert any(b"refund_claim" in (d or b"") for d in jobs)  # the refund waits for expiry
    assert services.bank.expired_claims() == []  # nothing expired yet
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    assert refund_claim(claim) == "refunded"
    assert refund_claim(claim) == "nothing to refund"  # run twice: refunded once
    assert savings(services) == Decimal("2500.00")
    assert services.bank.total_balance() == total and services.bank.ledger_problems() == []
    # A week after Amina last wrote, her WhatsApp window is closed; with no approved template
    # configured, the notice goes by SMS to her registered number (bot.outbound).
    [told] = [m for m in outbox.messages(AMINA) if "wasn't claimed" in m["body"]]
    assert told["channel"] == "sms" and told["path"] == "sms"
    assert "wasn't claimed within 7 days, so it's back" in told["body"]
    assert "has gone back to the sender" in [m["body"] for m in outbox.messages(FRIEND)][-1]
    assert client.get(path).status_code == 404  # the link is dead now


def test_a_number_with_a_wallet_is_paid_at_once(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    services.bank.db.run(
        "INSERT INTO accounts (number, customer_id, type, currency, balance)"
        " VALUES ('0567899999', 'C005', 'wallet', 'USD', 0)"
    )
    register_amina(whatsapp, secure)
    said = send_to_mobile(whatsapp, secure, "+234 803 000 0005", "10")
    # Another customer's name is shown masked before anything is confirmed.
    assert "Send *USD 10.00* to Grace O. (wallet +234•••••0005)" in said
    assert "Done: USD 10.00 sent to Grace O. (wallet +234•••••0005)" in said
    assert "Okafor" not in said
    wallet = services.bank.wallet_of(GRACE)
    assert wallet is not None and wallet.balance == Decimal("10.00")


def test_a_number_that_is_not_one(whatsapp: WhatsApp, secure: SecurePages) -> None:
    register_amina(whatsapp, secure)
    for text in ("transfer", "a mobile number"):
        whatsapp.send(AMINA, text)
    assert "doesn't look like a mobile number" in whatsapp.send(AMINA, "12345").text
    assert "That's your own number" in whatsapp.send(AMINA, "0803 000 0001").text
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled.")
