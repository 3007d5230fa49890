"""The webhook and the secure pages while Twilio's REST API fails, through Twilio's own client
pointed at a fake Twilio server on loopback: a 500, 503, 429, a reset connection or a hang is
never a 500 of ours, a hang costs one ``TWILIO_TIMEOUT_SECONDS``, the customer is told the code
did not go and how to go on, nothing is retried behind their back, and Twilio's return needs no
restart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TypeVar

import pytest
from flask.testing import FlaskClient

from app import Config, Services
from auth.ports import Status
from auth.stores import codes
from auth.stores.audit import AuditLog
from tests.conftest import AMINA
from tests.fake_twilio_server import SID, FakeTwilioServer, Fault, loopback_services, twilio_config
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_DOB, AMINA_NIN4, SecurePages, link_in

TIMEOUT_S = 1
SLACK_S = 1.5
FAULTS = [Fault.ERROR_500, Fault.UNAVAILABLE_503, Fault.TOO_MANY_429, Fault.RESET, Fault.HANG]
NOT_DELIVERED = "We couldn't send your code just now. Reply *resend* to try again, or *cancel*."
COULD_NOT_SEND = "We couldn&#39;t send the code. Please try again in a minute."
R = TypeVar("R")


@pytest.fixture
def server(config: Config) -> Iterator[FakeTwilioServer]:
    running = FakeTwilioServer(SID, config.twilio_auth_token).start()
    yield running
    running.stop()


@pytest.fixture
def services(config: Config, clock: FrozenClock, server: FakeTwilioServer) -> Iterator[Services]:
    built = loopback_services(twilio_config(config, TIMEOUT_S), server, clock=clock)
    yield built
    built.close()


@pytest.fixture
def secure(client: FlaskClient, server: FakeTwilioServer) -> SecurePages:
    return SecurePages(client, server)


def timed(call: Callable[[], R]) -> tuple[R, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def savings(services: Services) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == "0123456789")


@pytest.mark.parametrize("fault", FAULTS)
def test_a_registration_code_twilio_cannot_take_says_try_again(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    server: FakeTwilioServer,
    fault: Fault,
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    server.fail_all(fault)
    page, elapsed = timed(lambda: secure.post(f"{path}/code", {}, page_path=path))
    assert page.status == 200 and COULD_NOT_SEND in page.text
    assert elapsed < TIMEOUT_S + SLACK_S
    assert server.attempts == 1 and server.messages() == []  # tried once, nothing sent
    assert not services.redis.exists(codes.key(AMINA, "register"))

    server.fail_all(None)  # Twilio is back: no restart, the next send goes at once
    assert 'id="code-sent"' in secure.post(f"{path}/code", {}, page_path=path).text
    form = {"dob": AMINA_DOB, "nin_last4": AMINA_NIN4, "code": secure.last_code(AMINA)}
    assert "chat-banking ID" in secure.post(f"{path}/details", form, page_path=path).text


def test_a_registration_code_accepted_behind_a_500_is_replaced_by_the_next(
    whatsapp: WhatsApp, secure: SecurePages, server: FakeTwilioServer
) -> None:
    """The code went out although Twilio answered 500: the page said it didn't, so the customer
    asks again, and the code that counts is the one they were told of."""
    path = link_in(whatsapp.send(AMINA, "balance").text)
    server.fail_next(Fault.ACCEPTED_500)
    assert COULD_NOT_SEND in secure.post(f"{path}/code", {}, page_path=path).text
    stray = secure.last_code(AMINA)
    assert 'id="code-sent"' in secure.post(f"{path}/code", {}, page_path=path).text
    latest = secure.last_code(AMINA)
    assert len(server.messages(AMINA)) == 2
    if stray != latest:
        form = {"dob": AMINA_DOB, "nin_last4": AMINA_NIN4, "code": stray}
        assert "chat-banking ID" not in secure.post(f"{path}/details", form, page_path=path).text
    form = {"dob": AMINA_DOB, "nin_last4": AMINA_NIN4, "code": latest}
    assert "chat-banking ID" in secure.post(f"{path}/details", form, page_path=path).text


@pytest.mark.parametrize("fault", [Fault.ERROR_500, Fault.RESET, Fault.HANG])
def test_the_fifth_wrong_pin_blocks_while_its_sms_fails(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    server: FakeTwilioServer,
    fault: Fault,
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    whatsapp.send(AMINA, "logout")
    path = link_in(whatsapp.send(AMINA, "balance").text)
    server.fail_all(fault)
    pages = [secure.login(path, pin="000001") for _ in range(5)]
    assert [p.status for p in pages] == [401, 401, 401, 401, 403]
    assert "blocked" in pages[-1].text
    assert services.auth.check(AMINA).status is Status.BLOCKED
    blocked_sms = [c for c in server.calls if c.fault is fault]
    assert len(blocked_sms) == 1  # the block's SMS was tried once, not retried in the request


@pytest.mark.parametrize("fault", FAULTS)
def test_a_step_up_yes_says_not_delivered_and_resend_recovers(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    server: FakeTwilioServer,
    fault: Fault,
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")
    assert whatsapp.send(AMINA, "150").text.startswith("Send *USD 150.00* to Chidi Okeke")
    server.fail_all(fault)
    reply, elapsed = timed(lambda: whatsapp.send(AMINA, "yes"))
    assert reply.status == 200 and reply.text.startswith(NOT_DELIVERED)
    assert elapsed < TIMEOUT_S + SLACK_S
    assert savings(services) == Decimal("2500.00")
    [entry] = AuditLog(services.redis).entries(event="stepup.deliver")
    assert entry.fields["result"] == "failure"

    server.fail_all(None)
    assert whatsapp.send(AMINA, "resend").text.startswith("We sent a new code by SMS")
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert done.startswith("Done: USD 150.00 sent to Chidi Okeke")
    assert savings(services) == Decimal("2350.00")


def test_a_step_up_code_accepted_behind_a_500_is_void_and_not_a_wrong_try(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    server: FakeTwilioServer,
) -> None:
    """Twilio took the code and answered 500. The chat said it didn't go, and the bank never
    retries a code on its own (a second SMS the customer didn't ask for is worse than one they
    ask for): the stray code is void, typing it is not counted as a wrong try, and ``resend``
    sends the one that works. The money moves once."""
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")
    whatsapp.send(AMINA, "150")
    before = len(server.messages(AMINA))
    server.fail_next(Fault.ACCEPTED_500)
    assert whatsapp.send(AMINA, "yes").text.startswith(NOT_DELIVERED)
    assert len(server.messages(AMINA)) == before + 1  # it did go, once
    stray = whatsapp.send(AMINA, secure.last_code(AMINA))
    assert stray.text.startswith("That code has expired or was already used. Reply *resend*")
    [verify] = AuditLog(services.redis).entries(event="stepup.verify")
    assert verify.fields["result"] == "expired"  # not "wrong": no strike toward the lockout
    assert whatsapp.send(AMINA, "resend").text.startswith("We sent a new code by SMS")
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert done.startswith("Done: USD 150.00 sent to Chidi Okeke")
    assert savings(services) == Decimal("2350.00")
    assert len(server.messages(AMINA)) == before + 2
