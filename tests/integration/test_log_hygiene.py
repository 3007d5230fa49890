"""Logs never carry what a customer typed or their full number (SECURITY.md 19-20)."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import AMINA, STRANGER
from tests.helpers import WhatsApp


def test_webhook_logs_hold_no_bodies_or_full_numbers(
    whatsapp: WhatsApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for sender in (AMINA, STRANGER):
        whatsapp.send(sender, "hi")
        whatsapp.send(sender, "my pin is 482913")
    whatsapp.post(whatsapp.form(AMINA, "hi"), signature="forged")
    text = caplog.text
    assert "inbound SM" in text  # the webhook does log
    for secret in ("482913", AMINA, STRANGER, AMINA.lstrip("+"), "0123456789"):
        assert secret not in text
