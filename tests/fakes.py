"""Test doubles: for things Teller does not own the real form of (Twilio's HTTP API, the clock),
and fakes of our own ports (identity, the bank's reads) for pure flow tests.

The Twilio fake plugs into the SDK's own ``http_client`` parameter, so the real client builds
and sends real requests; only the network is replaced.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from twilio.http import HttpClient
from twilio.http.response import Response

from auth.ports import (
    IssuedLink,
    LinkRefused,
    LoginRecord,
    Status,
    StepUpAnswer,
    StepUpRequest,
    StepUpState,
    StepUpView,
    TokenCheck,
    Verdict,
)
from bank.ports import Account, BankProfile, Branch, KycLevel, Transaction


@dataclass
class RecordedRequest:
    method: str
    url: str
    data: dict[str, list[str]]
    auth: tuple[str, str] | None


class FakeTwilioHttp(HttpClient):  # type: ignore[misc]
    """Records every REST call and answers like Twilio's Messages API would.

    ``fault``, when set, is raised instead, as ``TwilioHttpClient`` (requests) raises it when
    the network fails: ``requests.exceptions.ConnectionError`` for a refused or reset connection,
    ``Timeout`` for a hang. Such a call never reached Twilio: it is counted in ``attempts``, not
    recorded."""

    def __init__(self, status: int = 201, error_code: int = 21211) -> None:
        super().__init__(logger=None, is_async=False, timeout=None)
        self.requests: list[RecordedRequest] = []
        self.status = status
        self.error_code = error_code
        self.fault: Exception | None = None
        self.attempts = 0

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """What Twilio accepted, in the dev outbox's shape (``tests.secure_pages`` reads it)."""
        found = []
        for call in self.requests:
            raw = call.data.get("To", [""])[0]
            channel = "whatsapp" if raw.startswith("whatsapp:") else "sms"
            number = raw.removeprefix("whatsapp:")
            if to is None or number == to:
                found.append({"channel": channel, "to": number, "body": call.data["Body"][0]})
        return found

    def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = False,
    ) -> Response:
        self.attempts += 1
        if self.fault is not None:
            raise self.fault
        form = {k: v if isinstance(v, list) else [v] for k, v in (data or {}).items()}
        if isinstance(data, str):
            form = parse_qs(data)
        self.requests.append(RecordedRequest(method, url, form, auth))
        if self.status >= 400:
            body = {"code": self.error_code, "message": "refused", "status": self.status}
            return Response(self.status, json.dumps(body))
        sid = f"SM{secrets.token_hex(16)}"
        body = {
            "sid": sid,
            "status": "queued",
            "to": form.get("To", [""])[0],
            "from": form.get("From", [""])[0],
            "body": form.get("Body", [""])[0],
        }
        return Response(self.status, json.dumps(body))


@dataclass
class FrozenClock:
    """A clock tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakeIdentity:
    """The identity port with a settable session status; records what the flows asked of it."""

    status: Status = Status.VALID
    # while blocked: by what (a lockout's kind, or "bank") and until when
    blocked_by: str = "pin"
    blocked_until: datetime | None = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
    registered: bool = True
    links: list[str] = field(default_factory=list)
    logouts: list[bool] = field(default_factory=list)  # each: everywhere?
    refuse_links: bool = False
    logins: list[LoginRecord] = field(default_factory=list)
    cap: Decimal | None = None
    notices: list[str] = field(default_factory=list)
    cooling_until: datetime | None = None  # the cooling-off after registering, while it runs

    def check(self, msisdn: str) -> TokenCheck:
        if self.status is Status.BLOCKED:
            return TokenCheck(
                self.status, None, self.registered, self.blocked_until, self.blocked_by
            )
        return TokenCheck(self.status, None, self.registered)

    def link(self, msisdn: str, customer_id: str, purpose: str) -> IssuedLink:
        if self.refuse_links:
            raise LinkRefused(600)
        self.links.append(purpose)
        return IssuedLink(f"https://bank.example/secure/{purpose}/t{len(self.links)}", 5)

    def logout(self, msisdn: str, customer_id: str, *, everywhere: bool = False) -> bool:
        self.logouts.append(everywhere)
        was = self.status is Status.VALID
        self.status = Status.MISSING
        return was

    def recent_logins(self, msisdn: str, limit: int = 5) -> list[LoginRecord]:
        return self.logins[:limit]

    def daily_cap(self, msisdn: str) -> Decimal | None:
        return self.cap

    def cooling_off_until(self, msisdn: str) -> datetime | None:
        return self.cooling_until

    def login_id_problems(self, msisdn: str, login_id: str) -> list[str]:
        return [] if len(login_id) >= 6 else ["Use 6 to 20 letters."]

    def card_pin_link(self, msisdn: str, customer_id: str, card_id: str) -> IssuedLink:
        return self.link(msisdn, customer_id, "cardpin")

    def personal_limit(self, msisdn: str) -> Decimal | None:
        return self.cap

    def set_personal_limit(self, msisdn: str, customer_id: str, limit: Decimal | None) -> None:
        self.cap = limit
        self.notices.append("limit_changed")

    def change_login_id(self, msisdn: str, customer_id: str, login_id: str) -> list[str]:
        self.notices.append(f"login_id:{login_id}")
        return []

    def notify(self, msisdn: str, what: str) -> None:
        self.notices.append(what)


@dataclass
class FakeStepUp:
    """The step-up port: ``view`` is what starting a challenge gives, ``code`` the right answer
    (bound to the request it began for). Records what the flows asked of it."""

    view: StepUpView = field(
        default_factory=lambda: StepUpView(
            StepUpState.SENT, "sms_code", "+234•••••0001", minutes=5, can_switch=True
        )
    )
    code: str = "123456"
    tries: int = 5
    calls: list[str] = field(default_factory=list)
    request: StepUpRequest | None = None
    questions_passed: bool = False

    def begin(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        self.calls.append(f"begin {request.action}")
        self.request = request
        return self.view

    def answer(
        self, msisdn: str, customer_id: str, request: StepUpRequest, text: str
    ) -> StepUpAnswer:
        self.calls.append(f"answer {text}")
        if self.request is None:
            return StepUpAnswer(Verdict.EXPIRED)
        if request != self.request:
            self.request = None
            return StepUpAnswer(Verdict.MISMATCH)
        if text == self.code:
            self.request = None
            return StepUpAnswer(Verdict.PASSED)
        self.tries -= 1
        if self.tries == 0:
            self.request = None
            return StepUpAnswer(Verdict.EXHAUSTED)
        return StepUpAnswer(Verdict.WRONG, self.tries)

    def resend(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        self.calls.append("resend")
        return self.view

    def switch(
        self, msisdn: str, customer_id: str, request: StepUpRequest, kind: str = ""
    ) -> StepUpView:
        self.calls.append(f"switch {kind}".strip())
        return StepUpView(StepUpState.SENT, "email_code", "a••••@example.com", minutes=5)

    def cancel(self, msisdn: str, customer_id: str) -> None:
        self.calls.append("cancel")
        self.request = None

    def passed(self, msisdn: str, request: StepUpRequest) -> bool:
        return self.questions_passed and request == self.request


@dataclass
class FakeBank:
    """Just the reads the conversation makes: accounts and mini statements, from lists."""

    accounts_by_customer: dict[str, list[Account]] = field(default_factory=dict)
    movements: dict[str, list[Transaction]] = field(default_factory=dict)
    bank_profile: BankProfile = field(
        default_factory=lambda: BankProfile(
            "Demo Bank",
            "USD",
            "001",
            "Africa/Lagos",
            "+2342012345678",
            "+2342012345600",
            (Branch("Ikeja", "12 Allen Avenue, Ikeja, Lagos"),),
        )
    )

    def profile(self) -> BankProfile:
        return self.bank_profile

    def accounts(self, customer_id: str) -> list[Account]:
        return list(self.accounts_by_customer.get(customer_id, []))

    def mini_statement(self, account_number: str, limit: int = 5) -> list[Transaction]:
        return self.movements.get(account_number, [])[:limit]

    def kyc_levels(self) -> list[KycLevel]:
        """The demo seed's three levels."""
        limits = (("500", "1000", "5000"), ("2000", "5000", "30000"), ("10000", "25000", "200000"))
        return [
            KycLevel(n, Decimal(t), Decimal(d), Decimal(m))
            for n, (t, d, m) in enumerate(limits, start=1)
        ]
