"""The ``whatsapp`` test helper: posts messages signed like Twilio's and returns parsed replies."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

PATH = "/whatsapp/inbound"


@dataclass
class Reply:
    status: int
    xml: str
    messages: list[str]

    @property
    def text(self) -> str:
        return "\n\n".join(self.messages)


def parse_twiml(xml: str) -> list[str]:
    root = ET.fromstring(xml)  # noqa: S314 - our own server's reply in a test
    return [(m.text or "") for m in root.iter("Message")]


def new_sid() -> str:
    return f"SM{secrets.token_hex(16)}"


class WhatsApp:
    """Sends WhatsApp messages into the app through the real webhook path."""

    def __init__(self, client: FlaskClient, auth_token: str, base_url: str) -> None:
        self.client = client
        self.validator = RequestValidator(auth_token)
        self.base_url = base_url

    def form(self, sender: str, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        return {
            "From": f"whatsapp:{sender}",
            "To": "whatsapp:+14155238886",
            "Body": body,
            "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
            "ProfileName": "Test",
            "WaId": sender.lstrip("+"),
            **extra,
        }

    def sign(self, form: dict[str, str], url: str | None = None) -> str:
        return str(self.validator.compute_signature(url or self.base_url + PATH, form))

    def post(self, form: dict[str, Any], signature: str | None = None, path: str = PATH) -> Reply:
        headers = {"X-Twilio-Signature": signature if signature is not None else self.sign(form)}
        response = self.client.post(path, data=form, headers=headers)
        xml = response.get_data(as_text=True)
        messages = parse_twiml(xml) if response.status_code == 200 else []
        return Reply(response.status_code, xml, messages)

    def send(self, sender: str, body: str, sid: str | None = None, **extra: str) -> Reply:
        return self.post(self.form(sender, body, sid, **extra))
