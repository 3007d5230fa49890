"""Twilio's REST API failing, through the real network path: Twilio's own client (its
serialization, auth, error parsing, requests and the configured timeout) against a fake Twilio
server on loopback. Every fault is a typed, retryable ``MessengerError`` that names no secret; a
hang costs at most ``TWILIO_TIMEOUT_SECONDS``; nothing is retried inside the adapter (a retry is
the caller's decision: jobs retry with back-off, a code waits for the customer's ``resend``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app import Config, Services
from messaging import Channel, MessengerError
from tests.conftest import AMINA
from tests.fake_twilio_server import (
    SID,
    SMS_FROM,
    FakeTwilioServer,
    Fault,
    loopback_services,
    twilio_config,
)
from tests.fakes import FrozenClock

TIMEOUT_S = 1
SLACK_S = 1.5  # the machine is shared: a timed-out call ends within the timeout and this


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


def test_the_real_client_sends_through_the_fake_server(
    services: Services, server: FakeTwilioServer, config: Config
) -> None:
    sid = services.messenger.send(Channel.SMS, AMINA, "Demo Bank: hello")
    media = services.messenger.send(
        Channel.WHATSAPP, AMINA, "Your receipt", ["https://teller.test/media/x"]
    )
    assert sid.startswith("SM") and media.startswith("SM") and sid != media
    sms, whatsapp = server.calls
    assert sms.form["From"] == [SMS_FROM] and sms.form["To"] == [AMINA]
    assert whatsapp.form["To"] == [f"whatsapp:{AMINA}"]
    assert whatsapp.form["MediaUrl"] == ["https://teller.test/media/x"]
    assert [m["channel"] for m in server.messages(AMINA)] == ["sms", "whatsapp"]


def test_a_wrong_auth_token_is_refused_and_not_retryable(
    config: Config, clock: FrozenClock
) -> None:
    wrong = FakeTwilioServer(SID, "another-token").start()
    try:
        built = loopback_services(twilio_config(config), wrong, clock=clock)
        with pytest.raises(MessengerError) as info:
            built.messenger.send(Channel.SMS, AMINA, "hello")
        assert info.value.retryable is False and wrong.messages() == []
        built.close()
    finally:
        wrong.stop()


@pytest.mark.parametrize(
    "fault",
    [Fault.ERROR_500, Fault.UNAVAILABLE_503, Fault.TOO_MANY_429, Fault.RESET, Fault.HANG],
)
def test_each_fault_is_one_retryable_error_naming_no_secret(
    services: Services, server: FakeTwilioServer, config: Config, fault: Fault
) -> None:
    server.fail_all(fault)
    started = time.monotonic()
    with pytest.raises(MessengerError) as info:
        services.messenger.send(Channel.SMS, AMINA, "Demo Bank: 482913 is your code")
    elapsed = time.monotonic() - started
    assert info.value.retryable is True
    assert server.attempts == 1  # the adapter never retries on its own: its caller decides
    assert server.messages() == []
    assert elapsed < TIMEOUT_S + SLACK_S  # a hang costs the timeout, no more
    if fault is Fault.HANG:
        assert elapsed >= TIMEOUT_S * 0.9
    for secret in ("482913", config.twilio_auth_token, AMINA, SID):
        assert secret not in str(info.value)


def test_a_message_accepted_behind_an_error_is_indistinguishable_to_the_client(
    services: Services, server: FakeTwilioServer
) -> None:
    """Twilio's Messages API takes no idempotency key: a 500 or a reset after the message was
    accepted looks to the client like any other failure. What callers do with that is decided
    where they retry (see the job and code tests)."""
    for fault in (Fault.ACCEPTED_500, Fault.ACCEPTED_RESET):
        server.fail_next(fault)
        with pytest.raises(MessengerError) as info:
            services.messenger.send(Channel.SMS, AMINA, f"Demo Bank: {fault}")
        assert info.value.retryable is True
    assert len(server.messages(AMINA)) == 2


def test_twilio_back_after_a_fault_needs_no_restart(
    services: Services, server: FakeTwilioServer
) -> None:
    server.fail_all(Fault.HANG)
    with pytest.raises(MessengerError):
        services.messenger.send(Channel.SMS, AMINA, "first")
    server.fail_all(Fault.RESET)
    with pytest.raises(MessengerError):
        services.messenger.send(Channel.SMS, AMINA, "second")
    server.fail_all(None)
    assert services.messenger.send(Channel.SMS, AMINA, "third").startswith("SM")
    assert [m["body"] for m in server.messages(AMINA)] == ["third"]
