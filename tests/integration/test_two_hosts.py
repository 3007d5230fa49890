"""Two "hosts" on one Redis Cluster and one PostgreSQL bank: two gunicorn web processes on
different ports and two worker processes, with each customer's conversation alternating between
the hosts message by message and two customers moving money at the same time.

What must hold, as in the load harness: every confirmed transfer is in the bank exactly once and
in the audit, every one has exactly one receipt, nobody got an error reply, and the balances
moved by exactly what was confirmed.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from twilio.request_validator import RequestValidator

from app import Config, Services, build_services, create_app
from auth.stores.audit import AuditLog
from bot.messenger import OutboxMessenger
from tests.conftest import BASE_URL, redis_environment
from tests.helpers import WhatsApp
from tests.postgres_server import PostgresServer
from tests.redis_server import free_port
from tests.secure_pages import SecurePages, link_in

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = {  # msisdn: (login id, date of birth, last 4 of the national ID, one-line request)
    "+2348030000001": ("amina.y", "1990-04-12", "8901", "send 50 to chidi"),
    "+2348030000002": ("tunde.b", "1985-11-23", "8902", "send 50 to amina"),
}
TRANSFERS_EACH = 2
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "60"]
_DONE = re.compile(r"Done: .* Ref (\w+)")


def wait_until(check: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def bank_url(postgres_server: PostgresServer) -> str:
    return postgres_server.new_database()


@pytest.fixture
def shared(config: Config, bank_url: str) -> Iterator[Services]:
    """The test's own view of the shared Redis and bank (it loads the demo seed first)."""
    built = build_services(dataclasses.replace(config, bank_database=bank_url))
    yield built
    built.close()


@pytest.fixture
def hosts(config: Config, bank_url: str, shared: Services) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "BANK_"))}
    env.update(redis_environment(config), BANK_DATABASE=bank_url, PUBLIC_BASE_URL=BASE_URL)
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            env=env,
            cwd=ROOT,
        )
        for port in ports
    ]
    processes += [
        subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env, cwd=ROOT)
        for _ in range(2)
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_until(lambda url=url: _ready(url), f"{url} to answer /readyz", timeout=90)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Phone:
    """A customer's WhatsApp, its messages signed as Twilio signs them, sent to one host and
    then the other in turn."""

    def __init__(self, msisdn: str, hosts: list[str], token: str) -> None:
        self.msisdn = msisdn
        self.hosts = hosts
        self.validator = RequestValidator(token)
        self.sent = 0

    def send(self, body: str) -> str:
        host = self.hosts[self.sent % len(self.hosts)]
        fields = {
            "From": f"whatsapp:{self.msisdn}",
            "To": "whatsapp:+14155238886",
            "Body": body,
            "MessageSid": f"SM{os.urandom(16).hex()}",
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
        }
        self.sent += 1
        signature = self.validator.compute_signature(BASE_URL + "/whatsapp/inbound", fields)
        answer = requests.post(
            host + "/whatsapp/inbound",
            data=urlencode(fields),
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return " ".join(re.findall(r"<Message>(.*?)</Message>", answer.text, re.S))


def transfer(phone: Phone, request: str, outbox: OutboxMessenger) -> str:
    """One transfer, each message to the next host; returns its reference."""
    reply = phone.send(request)
    for _ in range(6):
        assert "went wrong" not in reply and "try again" not in reply.lower(), reply
        if "Reply YES" in reply or "YES or NO" in reply:
            reply = phone.send("yes")
        elif "code" in reply and "sent" in reply:
            reply = phone.send(last_code(outbox, phone.msisdn))
        elif "from" in reply.lower() and "account" in reply.lower():
            reply = phone.send("1")
        else:
            break
    done = _DONE.search(reply)
    assert done, reply
    return done.group(1)


def last_code(outbox: OutboxMessenger, msisdn: str) -> str:
    for message in reversed(outbox.messages(msisdn)):
        found = re.search(r"\b(\d{6})\b is your code", message["body"])
        if message["channel"] == "sms" and found:
            return found.group(1)
    raise AssertionError("no code was sent")


@pytest.mark.slow
@pytest.mark.parametrize("redis_topology", ["cluster"], indirect=True)
def test_two_hosts_share_conversations_and_move_money_exactly_once(
    redis_topology: str, config: Config, shared: Services, hosts: list[str]
) -> None:
    outbox = shared.messenger
    assert isinstance(outbox, OutboxMessenger)
    app = create_app(services=shared)
    app.config.update(TESTING=True)
    whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, config.public_base_url)
    secure = SecurePages(app.test_client(), outbox)
    for msisdn, (login_id, dob, nin4, _) in CUSTOMERS.items():
        link = link_in(whatsapp.send(msisdn, "balance").text)
        page = secure.register(link, msisdn, login_id=login_id, dob=dob, nin4=nin4)
        assert page.status == 200, page.text
    before = balances(shared)

    def customer(msisdn: str) -> list[str]:
        phone = Phone(msisdn, hosts, config.twilio_auth_token)
        assert "Reply with a number" in phone.send("menu")
        assert "available balances" in phone.send("balance")
        return [transfer(phone, CUSTOMERS[msisdn][3], outbox) for _ in range(TRANSFERS_EACH)]

    with ThreadPoolExecutor(len(CUSTOMERS)) as pool:
        done = dict(zip(CUSTOMERS, pool.map(customer, CUSTOMERS), strict=True))

    references = [ref for refs in done.values() for ref in refs]
    assert len(set(references)) == len(CUSTOMERS) * TRANSFERS_EACH
    for reference in references:  # in the bank exactly once
        assert shared.bank.transfer_by_reference(reference) is not None

    def receipts(msisdn: str) -> list[str]:
        return [m["body"] for m in outbox.messages(msisdn) if m["media_urls"]]

    for msisdn, refs in done.items():  # exactly one receipt each, from either worker
        wanted = len(refs)
        wait_until(lambda m=msisdn, n=wanted: len(receipts(m)) >= n, f"receipts for {msisdn}")
        time.sleep(1.0)  # a doubled receipt would show by now
        for reference in refs:
            assert sum(reference in body for body in receipts(msisdn)) == 1, receipts(msisdn)
    audited = {
        e.fields.get("reference")
        for e in AuditLog(shared.redis).entries(count=1000)
        if e.fields.get("event", "").startswith("money.")
    }
    assert set(references) <= audited
    # Every account moved by exactly the confirmed transfers' ledger lines (fees included),
    # and each transfer debited its 50.00 once, from the account it named.
    after = balances(shared)
    for number, was in before.items():
        lines = [t for t in shared.bank.mini_statement(number, 50) if t.reference in references]
        assert after[number] - was == sum((t.amount for t in lines), Decimal(0)), number
    for reference in references:
        record = shared.bank.transfer_by_reference(reference)
        assert record is not None
        lines = shared.bank.mini_statement(record.from_account, 50)
        amounts = [t.amount for t in lines if t.reference == reference]
        assert amounts.count(Decimal("-50.00")) == 1, amounts


def balances(services: Services) -> dict[str, Decimal]:
    """Every account of the customers in the run, by number."""
    found: dict[str, Decimal] = {}
    for msisdn in CUSTOMERS:
        person = services.bank.customer_by_msisdn(msisdn)
        assert person is not None
        found.update({a.number: a.balance for a in services.bank.accounts(person.customer_id)})
    return found
