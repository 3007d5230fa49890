"""The ``secure`` test helper: drives the /secure pages through the Flask test client the way a
browser would (CSRF token from the form, the session cookie kept), reading SMS codes from the
dev outbox (or from the Twilio fake, which keeps the same shape). Browser tests do the same in
real Chromium; this one keeps transcripts fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

from flask.testing import FlaskClient

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r"\b(\d{6}) (?:is your code|est votre code|هو رمزك)")  # English, French, Arabic
_URL = re.compile(r"https?://\S+/secure/\S+")

# Amina Yusuf's personal details in the demo seed (bank/seeds/demo.json).
AMINA_DOB = "1990-04-12"
AMINA_NIN4 = "8901"
ANSWERS = {"q1": "Queens College", "q3": "Bingo", "q6": "Allen Avenue"}


@dataclass
class Page:
    status: int
    text: str


def link_in(text: str) -> str:
    """The path of the secure link in a chat reply."""
    found = _URL.search(text)
    assert found, f"no secure link in {text!r}"
    return urlparse(found.group(0)).path


class Inbox(Protocol):
    """Where sent messages can be read back: ``OutboxMessenger`` or ``FakeTwilioHttp``."""

    def messages(self, to: str | None = None) -> list[dict[str, Any]]: ...


class SecurePages:
    def __init__(self, client: FlaskClient, outbox: Inbox) -> None:
        self.client = client
        self.outbox = outbox
        self.csrf = ""

    def get(self, path: str) -> Page:
        response = self.client.get(path)
        return Page(response.status_code, response.get_data(as_text=True))

    def post(self, path: str, form: dict[str, str], page_path: str | None = None) -> Page:
        """Post a form, with the CSRF token read from the page it is on (as a browser would)."""
        page = self.get(page_path or path)
        token = _CSRF.search(page.text)
        if token:  # a page without a form (blocked, gone) keeps the session's last token
            self.csrf = token.group(1)
        data = {**form, "csrf_token": self.csrf}
        response = self.client.post(path, data=data, follow_redirects=True)
        return Page(response.status_code, response.get_data(as_text=True))

    def last_code(self, msisdn: str) -> str:
        for message in reversed(self.outbox.messages(msisdn)):
            found = _CODE.search(message["body"])
            if found:
                return found.group(1)
        raise AssertionError("no code was sent")

    def register(
        self,
        path: str,
        msisdn: str,
        *,
        login_id: str = "amina.y",
        pin: str = "495817",
        dob: str = AMINA_DOB,
        nin4: str = AMINA_NIN4,
    ) -> Page:
        """Every registration step, skipping the authenticator; returns the final page."""
        self.post(f"{path}/code", {}, page_path=path)
        steps = [
            ("details", {"dob": dob, "nin_last4": nin4, "code": self.last_code(msisdn)}),
            ("credentials", {"login_id": login_id, "pin": pin, "repeat_pin": pin}),
            ("questions", self.answers()),
            ("authenticator", {"action": "skip"}),
        ]
        page = Page(0, "")
        for step, form in steps:
            page = self.post(f"{path}/{step}", form, page_path=path)
        return page

    @staticmethod
    def answers(chosen: dict[str, str] = ANSWERS) -> dict[str, str]:
        form: dict[str, str] = {}
        for n, (qid, answer) in enumerate(chosen.items(), start=1):
            form[f"question_{n}"] = qid
            form[f"answer_{n}"] = answer
        return form

    def login(self, path: str, login_id: str = "amina.y", pin: str = "495817") -> Page:
        return self.post(path, {"login_id": login_id, "pin": pin})
