"""Twilio's REST API unreachable (a refused or reset connection, a hang) or refusing (429, 5xx),
through the real webhook and pages with the Twilio adapter on a fake HTTP client: the
registration code page says "try again in a minute" and takes the send back, the fifth wrong PIN
still blocks and shows the block page, a step-up ``yes`` gets the not-delivered reply — never a
500, nothing half-written, and no token or full number in the logs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from requests.exceptions import ConnectionError, ConnectTimeout, ReadTimeout

from app import Config, Services, build_services
from auth.ports import Status
from auth.stores import codes
from auth.stores.audit import AuditLog
from auth.stores.links import Purpose
from tests.conftest import AMINA
from tests.fakes import FakeTwilioHttp, FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_DOB, AMINA_NIN4, SecurePages, link_in

SID = "AC" + "b" * 32
URL = f"/2010-04-01/Accounts/{SID}/Messages.json"
# What requests raises (its text names the URL, as the real ones do).
FAULTS = {
    "refused": ConnectionError(f"HTTPSConnectionPool(host='api.twilio.com'): {URL} refused"),
    "reset": ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
    "connect-timeout": ConnectTimeout(f"connect to api.twilio.com timed out ({URL})"),
    "hang": ReadTimeout(f"Read timed out. (read timeout=5) {URL}"),
}
NOT_DELIVERED = "We couldn't send your code just now. Reply *resend* to try again, or *cancel*."
COULD_NOT_SEND = "We couldn&#39;t send the code. Please try again in a minute."


@pytest.fixture
def services(config: Config, clock: FrozenClock, twilio_http: FakeTwilioHttp) -> Iterator[Services]:
    settings = {"messenger": "twilio", "twilio_account_sid": SID, "twilio_sms_from": "+14155550100"}
    built = build_services(
        Config(**{**config.__dict__, **settings}), clock=clock, twilio_http_client=twilio_http
    )
    yield built
    built.close()


@pytest.fixture
def secure(client: FlaskClient, twilio_http: FakeTwilioHttp) -> SecurePages:
    return SecurePages(client, twilio_http)


def logs_hold_no_secret(caplog: pytest.LogCaptureFixture, config: Config, *tokens: str) -> None:
    text = caplog.text
    for secret in (config.twilio_auth_token, AMINA, AMINA.lstrip("+"), SID, *tokens):
        assert secret not in text
    assert "Traceback" not in text


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_registration_code_that_cannot_be_sent_says_try_again_and_is_not_counted(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    twilio_http: FakeTwilioHttp,
    config: Config,
    caplog: pytest.LogCaptureFixture,
    fault: Exception,
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    token = path.rsplit("/", 1)[-1]
    caplog.set_level(logging.DEBUG)
    twilio_http.fault = fault
    page = secure.post(f"{path}/code", {}, page_path=path)
    assert page.status == 200 and COULD_NOT_SEND in page.text
    assert 'id="code-sent"' not in page.text
    assert twilio_http.attempts == 1 and twilio_http.requests == []
    # Nothing half-written: no code stored (nobody has it), no cooldown, the link unmoved.
    assert not services.redis.exists(codes.key(AMINA, "register"))
    link = services.auth.open_link(token, Purpose.REGISTER)
    assert link is not None and link.state.get("step", "details") == "details"
    [entry] = AuditLog(services.redis).entries(event="code_sent")
    assert entry.fields["result"] == "failure"
    logs_hold_no_secret(caplog, config, token)

    # Twilio is back: the next send goes at once, and registration carries on with it.
    twilio_http.fault = None
    sent = secure.post(f"{path}/code", {}, page_path=path)
    assert sent.status == 200 and 'id="code-sent"' in sent.text
    form = {"dob": AMINA_DOB, "nin_last4": AMINA_NIN4, "code": secure.last_code(AMINA)}
    assert "chat-banking ID" in secure.post(f"{path}/details", form, page_path=path).text


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_twilio_refusal_to_send_the_code_is_not_a_500(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    twilio_http: FakeTwilioHttp,
    status: int,
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    twilio_http.status = status
    page = secure.post(f"{path}/code", {}, page_path=path)
    assert page.status == 200 and COULD_NOT_SEND in page.text
    assert not services.redis.exists(codes.key(AMINA, "register"))


def test_a_failed_resend_is_not_counted_either(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    twilio_http: FakeTwilioHttp,
    clock: FrozenClock,
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    assert 'id="code-sent"' in secure.post(f"{path}/code", {}, page_path=path).text
    clock.advance(seconds=30)
    twilio_http.fault = FAULTS["hang"]
    assert COULD_NOT_SEND in secure.post(f"{path}/code", {}, page_path=path).text
    twilio_http.fault = None
    sent = []
    for _ in range(3):  # the failed one didn't count: two more of the three, then the limit
        sent.append(secure.post(f"{path}/code", {}, page_path=path).status)
        clock.advance(seconds=30)
    assert sent == [200, 200, 429]


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_the_fifth_wrong_pin_blocks_and_shows_the_block_page_when_the_sms_fails(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    twilio_http: FakeTwilioHttp,
    config: Config,
    caplog: pytest.LogCaptureFixture,
    fault: Exception,
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    whatsapp.send(AMINA, "logout")
    path = link_in(whatsapp.send(AMINA, "balance").text)
    caplog.set_level(logging.DEBUG)
    twilio_http.fault = fault
    pages = [secure.login(path, pin="000001") for _ in range(5)]
    assert [p.status for p in pages] == [401, 401, 401, 401, 403]
    assert "blocked" in pages[-1].text
    assert services.auth.check(AMINA).status is Status.BLOCKED
    assert twilio_http.attempts > len(twilio_http.requests)  # the block's SMS was tried
    logs_hold_no_secret(caplog, config, path.rsplit("/", 1)[-1])


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_step_up_yes_gets_the_not_delivered_reply_and_resend_recovers(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    twilio_http: FakeTwilioHttp,
    config: Config,
    caplog: pytest.LogCaptureFixture,
    fault: Exception,
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")
    assert whatsapp.send(AMINA, "150").text.startswith("Send *USD 150.00* to Chidi Okeke")
    caplog.set_level(logging.DEBUG)
    twilio_http.fault = fault
    assert whatsapp.send(AMINA, "yes").text.startswith(NOT_DELIVERED)
    assert not services.redis.exists(codes.key(AMINA, "stepup"))
    savings = next(a for a in services.bank.accounts("C001") if a.number == "0123456789")
    assert savings.balance == Decimal("2500.00")
    [entry] = AuditLog(services.redis).entries(event="stepup.deliver")
    assert entry.fields["result"] == "failure"
    logs_hold_no_secret(caplog, config)

    twilio_http.fault = None
    assert whatsapp.send(AMINA, "resend").text.startswith("We sent a new code by SMS")
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert done.startswith("Done: USD 150.00 sent to Chidi Okeke")
