"""The load run's customers, registered once through the real secure pages over HTTP.

Each customer asks for ``balance`` on WhatsApp, gets the registration link, and fills in the
pages the way a phone's browser would (``requests`` keeps the cookie, the CSRF token is read
from each form, the SMS code from ``GET /dev/outbox``); the registration then resumes the
balance in WhatsApp. This happens before the measured window, a few customers at a time.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter
from twilio.request_validator import RequestValidator

from bench import traffic
from bench.load.stack import AUTH_TOKEN, Stack

PATH = "/whatsapp/inbound"
DOB = "1985-06-15"  # every generated customer's (bench.transfer.bench_seed)
PIN = "495817"
ANSWERS = {"q1": "Queens College", "q3": "Bingo", "q6": "Allen Avenue"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r"\b(\d{6}) is your code")
_LINK = re.compile(r"https?://[^\s<]+/secure/register/[^\s<]+")
PARALLEL = 4


@dataclass(frozen=True)
class Customer:
    msisdn: str
    login_id: str
    address: str  # the loopback address its "phone" browses from


def customers(seed: dict[str, Any]) -> list[Customer]:
    return [
        Customer(str(c["msisdn"]), f"load.customer{n}", phone_address(n))
        for n, c in enumerate(seed["customers"], start=1)
    ]


def whatsapp(stack: Stack, msisdn: str, text: str, timeout_s: float = 20) -> str:
    """One signed WhatsApp message; the reply's TwiML."""
    fields = traffic.form(msisdn, text)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(stack.public_url + PATH, fields)
    response = requests.post(
        stack.web.url + PATH,
        data=urlencode(fields),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": str(signature),
        },
        timeout=timeout_s,
    )
    response.raise_for_status()
    return response.text


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address: each customer's phone has its own, so the pages'
    per-address limits see people, not the harness (127.0.0.0/8 is all loopback on Linux)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def phone_address(n: int) -> str:
    return f"127.1.{n // 250}.{n % 250 + 1}"


class _Browser:
    def __init__(self, stack: Stack, address: str) -> None:
        self.stack = stack
        self.session = requests.Session()
        self.session.mount("http://", _FromAddress(address))
        self.csrf = ""

    def post(self, path: str, form: dict[str, str], page: str) -> requests.Response:
        found = _CSRF.search(self.session.get(page, timeout=20).text)
        if found:
            self.csrf = found.group(1)
        response = self.session.post(path, data={**form, "csrf_token": self.csrf}, timeout=20)
        if response.status_code != 200:
            problem = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
            raise RuntimeError(f"{path.rsplit('/', 1)[-1]}: {response.status_code} {problem[:900]}")
        return response

    def code(self, msisdn: str) -> str:
        outbox = self.session.get(
            f"{self.stack.web.url}/dev/outbox", params={"to": msisdn}, timeout=20
        ).json()
        for message in outbox["messages"]:  # newest first
            found = _CODE.search(message["body"])
            if found:
                return found.group(1)
        raise RuntimeError(f"no registration code reached {msisdn[:-4]}••••")


def answers() -> dict[str, str]:
    form: dict[str, str] = {}
    for n, (qid, answer) in enumerate(ANSWERS.items(), start=1):
        form[f"question_{n}"] = qid
        form[f"answer_{n}"] = answer
    return form


def register(stack: Stack, customer: Customer) -> None:
    """Every registration step on the secure pages, the authenticator skipped."""
    reply = whatsapp(stack, customer.msisdn, "balance")
    link = _LINK.search(reply)
    if link is None:
        raise RuntimeError(f"no registration link in {reply!r}")
    page = link.group(0)
    browser = _Browser(stack, customer.address)
    browser.post(f"{page}/code", {}, page)
    nin4 = customer.msisdn[-4:]  # bench_seed: national id 5<n:010d>, msisdn +234803<1e6+n>
    steps = [
        ("details", {"dob": DOB, "nin_last4": nin4, "code": browser.code(customer.msisdn)}),
        ("credentials", {"login_id": customer.login_id, "pin": PIN, "repeat_pin": PIN}),
        ("questions", answers()),
        ("authenticator", {"action": "skip"}),
    ]
    for step, form in steps:
        browser.post(f"{page}/{step}", form, page)
    done = whatsapp(stack, customer.msisdn, "balance")
    if "available balances" not in done:
        raise RuntimeError(f"registration did not log {customer.login_id} in: {done!r}")


def register_all(stack: Stack, people: list[Customer]) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda c: register(stack, c), people))
