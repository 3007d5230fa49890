"""No secret of the identity journeys reaches the logs (SECURITY.md 20), nor Redis in the clear
(SECURITY.md 8-9): a whole registration, wrong and right logins, a PIN change and the token API
run with logging captured at DEBUG, then the log text and every Redis value are searched for
each PIN, code, link token, date of birth and full number used.
"""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient

from app import Config, Services
from bot.messenger import OUTBOX_KEY, OutboxMessenger
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_DOB, ANSWERS, SecurePages, link_in

PIN, NEW_PIN, WRONG_PIN = "495817", "730518", "472950"


def redis_dump(services: Services) -> str:
    values: list[str] = []
    for key in services.redis.scan_iter(count=1000):
        if key == OUTBOX_KEY:
            continue  # the dev outbox stands in for the customer's phone: codes are meant there
        kind = services.redis.type(key)
        if kind == "string":
            values.append(str(services.redis.get(key)))
        elif kind == "hash":
            values.extend(f"{k!s}={v!s}" for k, v in services.redis.hgetall(key).items())
        elif kind == "list":
            values.extend(services.redis.lrange(key, 0, -1))
        elif kind == "stream":
            values.extend(str(fields) for _, fields in services.redis.xrange(key))
        values.append(key)
    return "\n".join(values)


def test_identity_journeys_log_no_secrets(
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    client: FlaskClient,
    config: Config,
    services: Services,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    register_link = link_in(whatsapp.send(AMINA, "balance").text)
    secure.register(register_link, AMINA, pin=PIN)
    whatsapp.send(AMINA, "logout")
    login_link = link_in(whatsapp.send(AMINA, "balance").text)
    secure.login(login_link, pin=WRONG_PIN)
    secure.login(login_link, pin=PIN)
    whatsapp.send(AMINA, "profile")
    assert "code by SMS" in whatsapp.send(AMINA, "2").text  # PASSWORD_UPDATE's step-up
    pin_link = link_in(whatsapp.send(AMINA, secure.last_code(AMINA)).text)
    secure.post(pin_link, {"current_pin": PIN, "new_pin": NEW_PIN, "repeat_pin": NEW_PIN})
    headers = {"Authorization": f"Bearer {config.auth_api_key}"}
    client.post(
        "/auth/v1/token/check", json={"channel": "whatsapp", "user": AMINA}, headers=headers
    )

    codes = re.findall(r"\b(\d{6}) is your code", str(outbox.messages(AMINA)))
    tokens = [path.rsplit("/", 1)[1] for path in (register_link, login_link, pin_link)]
    secrets = [PIN, NEW_PIN, WRONG_PIN, AMINA_DOB, "12041990", *codes, *tokens]
    secrets += [config.auth_api_key, config.pin_pepper, *ANSWERS.values()]
    assert codes and caplog.text
    for secret in [*secrets, AMINA.lstrip("+"), "0123456789"]:
        assert not found(secret, caplog.text), f"{secret!r} was logged"
    stored = redis_dump(services)
    assert "teller:{audit}" in stored and "login" in stored
    for secret in secrets:
        assert not found(secret, stored), f"{secret!r} is in Redis in the clear"


def found(secret: str, text: str) -> bool:
    """``secret`` as a whole token: a 6-digit code inside a hex digest is chance, not a leak."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", text) is not None
