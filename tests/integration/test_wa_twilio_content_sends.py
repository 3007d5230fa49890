"""The proactive path through Twilio's own client against a fake Twilio server on loopback:
inside the window a ``Body``, outside it the approved template as ``ContentSid`` and
``ContentVariables`` (and no ``Body``), with no template an SMS from the SMS sender; a free-form
message WhatsApp refuses with 63016 (a status callback, as Twilio reports it) falls back to the
template once; the refund notice a week later goes as its template with the right variables."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from app import Config, Services
from bot.content.store import CONTENT_KEY
from messaging import Notice, Path
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import send_to_mobile
from tests.fake_twilio_server import (
    SID,
    SMS_FROM,
    FakeTwilioServer,
    loopback_services,
    twilio_config,
)
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages
from workers.claims import refund_claim

KYC_SID = "HX" + "a" * 32
REFUND_SID = "HX" + "b" * 32


@pytest.fixture
def server(config: Config) -> Iterator[FakeTwilioServer]:
    running = FakeTwilioServer(SID, config.twilio_auth_token).start()
    yield running
    running.stop()


@pytest.fixture
def services(config: Config, clock: FrozenClock, server: FakeTwilioServer) -> Iterator[Services]:
    built = loopback_services(twilio_config(config, 5), server, clock=clock)
    built.redis.hset(CONTENT_KEY, "teller_kyc_rejected_en", _approved(KYC_SID))
    built.redis.hset(CONTENT_KEY, "teller_claim_refunded_sender_en", _approved(REFUND_SID))
    yield built
    built.close()


@pytest.fixture
def secure(client: FlaskClient, server: FakeTwilioServer) -> SecurePages:
    return SecurePages(client, server)


def _approved(sid: str) -> str:
    return json.dumps({"sid": sid, "approval": "approved"})


def notice() -> Notice:
    return Notice("kyc_rejected", AMINA, {"bank": "Demo Bank", "reason": "the photo is blurred"})


def last_form(server: FakeTwilioServer) -> dict[str, str]:
    return {name: values[0] for name, values in server.calls[-1].form.items()}


def test_inside_the_window_a_body_goes_to_whatsapp(
    services: Services, server: FakeTwilioServer, whatsapp: WhatsApp
) -> None:
    whatsapp.send(AMINA, "hi")
    assert services.outbound.notify(notice()).path is Path.SESSION
    form = last_form(server)
    assert form["To"] == f"whatsapp:{AMINA}" and form["From"].startswith("whatsapp:")
    assert "couldn't approve your KYC upgrade: the photo is blurred" in form["Body"]
    assert "ContentSid" not in form and "ContentVariables" not in form
    assert form["StatusCallback"] == "https://teller.test/whatsapp/status"


def test_outside_the_window_the_template_goes_as_content_sid_and_variables(
    services: Services, server: FakeTwilioServer, clock: FrozenClock
) -> None:
    services.outbound.window.seen(AMINA, clock.now)
    clock.advance(hours=24, minutes=1)
    assert services.outbound.notify(notice()).path is Path.TEMPLATE
    form = last_form(server)
    assert form["To"] == f"whatsapp:{AMINA}" and form["From"].startswith("whatsapp:")
    assert form["ContentSid"] == KYC_SID and "Body" not in form and "MediaUrl" not in form
    assert json.loads(form["ContentVariables"]) == {"1": "Demo Bank", "2": "the photo is blurred"}
    assert form["StatusCallback"] == "https://teller.test/whatsapp/status"


def test_outside_the_window_with_no_template_an_sms_goes(
    services: Services, server: FakeTwilioServer
) -> None:
    services.redis.delete(CONTENT_KEY)
    assert services.outbound.notify(notice()).path is Path.SMS
    form = last_form(server)
    assert (form["To"], form["From"]) == (AMINA, SMS_FROM) and "ContentSid" not in form
    assert "couldn't approve your KYC upgrade: the photo is blurred" in form["Body"]


def test_a_63016_status_callback_falls_back_to_the_template_once(
    services: Services, server: FakeTwilioServer, whatsapp: WhatsApp
) -> None:
    whatsapp.send(AMINA, "hi")  # Teller's record says open...
    server.close_window(AMINA)  # ...but WhatsApp's window is closed (another device, a gap)
    sent = services.outbound.notify(notice())
    assert sent.path is Path.SESSION
    callbacks = server.take_callbacks()
    assert [form["MessageSid"] for _, form in callbacks] == [sent.sid]
    for url, form in callbacks * 2:  # Twilio retries callbacks: the second is a duplicate
        headers = {"X-Twilio-Signature": whatsapp.sign(form, url)}
        assert (
            whatsapp.client.post("/whatsapp/status", data=form, headers=headers).status_code == 204
        )
    contents = [m for m in server.messages(AMINA) if m["content_sid"]]
    assert len(contents) == 1 and contents[0]["content_sid"] == KYC_SID
    assert contents[0]["content_variables"] == {"1": "Demo Bank", "2": "the photo is blurred"}
    assert services.outbound.outcome(sent.sid)["outcome"].startswith("63016; fell back to template")
    assert server.take_callbacks() == []  # the template itself went through


def test_the_refund_notice_goes_as_its_template_with_the_right_variables(
    services: Services,
    server: FakeTwilioServer,
    whatsapp: WhatsApp,
    secure: SecurePages,
    clock: FrozenClock,
) -> None:
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, "0803 999 9999", "25")
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    assert refund_claim(claim) == "refunded"
    [told] = [m for m in server.messages(AMINA) if m["content_sid"] == REFUND_SID]
    assert told["channel"] == "whatsapp" and told["body"] == ""
    variables = told["content_variables"]
    assert isinstance(variables, dict) and set(variables) == {"1", "2", "3", "4"}
    assert (variables["1"], variables["2"], variables["4"]) == (
        "USD 25.00",
        "+234•••••9999",
        "••6789",
    )
    assert str(variables["3"]).startswith("TX")
