"""Messengers: the Twilio adapter through the SDK with a recording HTTP fake, and the outbox."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from requests.exceptions import (
    ChunkedEncodingError,
    ConnectionError,
    ConnectTimeout,
    ReadTimeout,
)
from twilio.http.http_client import TwilioHttpClient

from app import Config, Services, twilio_messenger
from bot.messenger import OutboxMessenger, TwilioMessenger
from bot.twilio_http import RetryAfterHttp
from messaging import Channel, MessengerError
from tests.conftest import AMINA
from tests.fakes import FakeTwilioHttp

SID = "AC" + "b" * 32


def twilio(config: Config, http: FakeTwilioHttp, **changes: str) -> TwilioMessenger:
    settings = {"twilio_account_sid": SID, "twilio_sms_from": "+14155550100", **changes}
    return twilio_messenger(Config(**{**config.__dict__, **settings}), http_client=http)


def test_whatsapp_media_message_goes_through_the_rest_api(
    config: Config, twilio_http: FakeTwilioHttp
) -> None:
    messenger = twilio(config, twilio_http)
    sid = messenger.send(Channel.WHATSAPP, AMINA, "Your receipt", ["https://teller.test/media/x"])
    [call] = twilio_http.requests
    assert sid.startswith("SM") and call.method == "POST"
    assert call.url.endswith(f"/Accounts/{SID}/Messages.json")
    assert call.data["To"] == [f"whatsapp:{AMINA}"]
    assert call.data["From"] == [config.twilio_whatsapp_from]
    assert call.data["MediaUrl"] == ["https://teller.test/media/x"]
    assert call.data["StatusCallback"] == ["https://teller.test/whatsapp/status"]
    assert call.auth == (SID, config.twilio_auth_token)


def test_sms_from_a_number_or_a_messaging_service(
    config: Config, twilio_http: FakeTwilioHttp
) -> None:
    twilio(config, twilio_http).send(Channel.SMS, AMINA, "code")
    service = "MG" + "c" * 32
    twilio(config, twilio_http, twilio_sms_from=service).send(Channel.SMS, AMINA, "code")
    first, second = twilio_http.requests
    assert first.data["From"] == ["+14155550100"] and first.data["To"] == [AMINA]
    assert second.data["MessagingServiceSid"] == [service] and "From" not in second.data


@pytest.mark.parametrize(("status", "retryable"), [(400, False), (429, True), (503, True)])
def test_twilio_refusals_become_typed_errors(config: Config, status: int, retryable: bool) -> None:
    messenger = twilio(config, FakeTwilioHttp(status=status))
    with pytest.raises(MessengerError) as info:
        messenger.send(Channel.SMS, AMINA, "code")
    assert info.value.retryable is retryable


@pytest.mark.parametrize(
    "fault",
    [
        ConnectionError("HTTPSConnectionPool(host='api.twilio.com'): refused"),
        ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
        ConnectTimeout("connect timed out"),
        ReadTimeout("Read timed out. (read timeout=5)"),
        ChunkedEncodingError("Connection broken"),  # any other RequestException
        ConnectionResetError(104, "Connection reset by peer"),  # a bare OSError
    ],
    ids=["refused", "reset", "connect-timeout", "hang", "broken", "oserror"],
)
def test_network_failures_become_retryable_errors_naming_no_secret(
    config: Config, twilio_http: FakeTwilioHttp, fault: Exception
) -> None:
    twilio_http.fault = fault
    with pytest.raises(MessengerError) as info:
        twilio(config, twilio_http).send(Channel.SMS, AMINA, "Demo Bank: 123456 is your code")
    assert info.value.retryable is True
    assert str(info.value) == f"Twilio could not be reached ({type(fault).__name__})"
    for secret in (SID, config.twilio_auth_token, AMINA, "123456"):
        assert secret not in str(info.value)


def test_twilio_s_own_client_is_built_with_the_timeout(config: Config) -> None:
    settings = {"twilio_account_sid": SID, "twilio_sms_from": "+14155550100"}
    default = twilio_messenger(Config(**{**config.__dict__, **settings}))
    # Twilio's own client, wrapped to keep a 429's Retry-After (bot.twilio_http).
    http = default.client.http_client
    assert isinstance(http, RetryAfterHttp) and isinstance(http.inner, TwilioHttpClient)
    assert http.inner.timeout == 5 and http.timeout == 5
    slower = Config(**{**config.__dict__, **settings, "twilio_timeout_seconds": 12})
    assert twilio_messenger(slower).client.http_client.inner.timeout == 12
    given = FakeTwilioHttp()  # Twilio's injection point: used as it is, inside the wrapper
    assert twilio_messenger(slower, http_client=given).client.http_client.inner is given


def test_email_without_smtp_is_a_clear_error(config: Config, twilio_http: FakeTwilioHttp) -> None:
    with pytest.raises(MessengerError, match="SMTP_URL"):
        twilio(config, twilio_http).send(Channel.EMAIL, "a@example.com", "hi", subject="x")


def test_outbox_records_and_filters(services: Services, client: FlaskClient) -> None:
    assert isinstance(services.messenger, OutboxMessenger)
    services.messenger.send(Channel.SMS, AMINA, "Demo Bank: 123456 is your code")
    services.messenger.send(Channel.EMAIL, "amina@example.com", "Statement", subject="Hello")
    services.messenger.send(Channel.WHATSAPP, "+2348030000002", "Receipt", ["https://x/m"])
    everything = client.get("/dev/outbox").json["messages"]
    assert [m["channel"] for m in everything] == ["sms", "email", "whatsapp"]
    contract = {"id", "channel", "to", "body", "media_urls", "created_at"}
    assert set(everything[0]) == contract | {"path"} and set(everything[1]) == contract
    assert [m.get("path") for m in everything] == ["sms", None, "session"]
    mine = client.get(f"/dev/outbox?to={AMINA.replace('+', '%2B')}").json["messages"]
    assert [m["body"] for m in mine] == ["Demo Bank: 123456 is your code"]
    assert client.get("/dev/outbox?to=nonsense").status_code == 400
