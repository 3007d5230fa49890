"""What the conversation needs from identity, as plain data and one Protocol (no Redis here), so
``flows/`` stays pure and tests can hand it a fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class Status(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    MISSING = "missing"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class TokenCheck:
    status: Status
    expires_at: datetime | None  # valid: the new idle expiry; expired: when it ended
    registered: bool  # the customer has chat-banking credentials
    # blocked: until when (None: until the bank lifts it) and by what — a lockout's kind
    # (``pin``, ``code``, ``details``) or ``bank`` (staff blocked it, or a lost phone).
    blocked_until: datetime | None = None
    blocked_by: str = ""


@dataclass(frozen=True)
class LoginRecord:
    at: datetime
    address: str  # masked
    agent: str  # "Chrome on Android"


class LinkRefused(Exception):
    """Too many links asked for; the customer can use the last one or wait ``retry_after_s``."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many links")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class IssuedLink:
    url: str
    minutes: int


class Identity(Protocol):
    """The token service and the security centre, as the bot sees them."""

    def check(self, msisdn: str) -> TokenCheck:
        """The session's status; ``valid`` extends it (sliding expiry)."""
        ...

    def link(self, msisdn: str, customer_id: str, purpose: str) -> IssuedLink:
        """A one-time secure-page link (``register``, ``login`` or ``pin``); may raise
        LinkRefused."""
        ...

    def logout(self, msisdn: str, customer_id: str, *, everywhere: bool = False) -> bool:
        """End the session (and, everywhere, every outstanding link); True if one was live."""
        ...

    def recent_logins(self, msisdn: str, limit: int = 5) -> list[LoginRecord]: ...

    def daily_cap(self, msisdn: str) -> Decimal | None:
        """A lower daily limit than the KYC level's in force now (cooling-off), or None."""
        ...

    def card_pin_link(self, msisdn: str, customer_id: str, card_id: str) -> IssuedLink:
        """A one-time secure page to set a card's PIN; may raise LinkRefused."""
        ...

    def cooling_off_until(self, msisdn: str) -> datetime | None:
        """When the lower limits after registering end, while they last."""
        ...

    def personal_limit(self, msisdn: str) -> Decimal | None:
        """The customer's own daily limit, if they set one."""
        ...

    def set_personal_limit(self, msisdn: str, customer_id: str, limit: Decimal | None) -> None:
        """Set or (None) remove the customer's own daily limit; notifies by SMS."""
        ...

    def login_id_problems(self, msisdn: str, login_id: str) -> list[str]:
        """Why ``login_id`` can't be this customer's new chat-banking ID (empty: it can)."""
        ...

    def change_login_id(self, msisdn: str, customer_id: str, login_id: str) -> list[str]:
        """Change the chat-banking ID; notifies by SMS. Problems when refused."""
        ...

    def notify(self, msisdn: str, what: str) -> None:
        """A security notice by SMS to the registered number (``email_changed`` …)."""
        ...


@dataclass(frozen=True)
class StepUpRequest:
    """What a step-up challenge is for, and bound to: the action (an MFA scenario action) and,
    for money, the amount, currency, payee and account. Strings, so a conversation can keep it;
    any change makes a new request, and a code sent for the old one stops working."""

    action: str
    amount: str = ""  # a decimal string such as "150.00"; "" when the action moves no money
    currency: str = ""
    payee: str = ""  # the payee as the customer sees it ("Chidi O. (Access ••4321)")
    account: str = ""  # the account debited or changed, in full (masked wherever it is shown)
    force: bool = False  # challenge whatever the scenarios say (a new payee's first transfer)
    # Where the money goes (bank code and account, a biller and reference, a card): bound but
    # never shown, so two payees with the same display name can't share a code.
    destination: str = ""
    # The customer's segment ("retail" | "business"; "" is retail): which application's
    # scenarios decide. Not part of what a code approves, so not in the binding.
    segment: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "action": self.action,
            "amount": self.amount,
            "currency": self.currency,
            "payee": self.payee,
            "account": self.account,
            "force": self.force,
            "destination": self.destination,
            "segment": self.segment,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> StepUpRequest:
        return cls(
            action=str(raw.get("action", "")),
            amount=str(raw.get("amount", "")),
            currency=str(raw.get("currency", "")),
            payee=str(raw.get("payee", "")),
            account=str(raw.get("account", "")),
            force=bool(raw.get("force", False)),
            destination=str(raw.get("destination", "")),
            segment=str(raw.get("segment", "")),
        )


class StepUpState(StrEnum):
    NOT_NEEDED = "not_needed"  # the scenarios ask for no challenge: go on
    SENT = "sent"  # a code went by SMS or email to ``destination``
    AUTHENTICATOR = "authenticator"  # the customer types the code their app shows
    QUESTIONS = "questions"  # the customer answers on the secure page at ``url``
    UNAVAILABLE = "unavailable"  # required, but none of its types is set up: can't go on
    REFUSED = "refused"  # no new code now (``retry_after_s``; 0: the send limit is reached)
    BLOCKED = "blocked"  # too many wrong answers: blocked ``until``
    FAILED = "failed"  # the code could not be delivered


@dataclass(frozen=True)
class StepUpView:
    """What the chat may say about a challenge: never the code."""

    state: StepUpState
    kind: str = ""  # the challenge type (``sms_code`` …)
    destination: str = ""  # masked phone number or email address
    url: str = ""
    minutes: int = 0
    retry_after_s: int = 0
    can_switch: bool = False  # another way is available (``ways``)
    until: datetime | None = None  # blocked: until then; refused (too many started): till then
    ways: tuple[str, ...] = ()  # the other ways ``other`` offers (challenge types), in order


class Verdict(StrEnum):
    PASSED = "passed"
    WRONG = "wrong"  # see ``remaining``
    EXPIRED = "expired"  # no live challenge: expired, used or cancelled
    EXHAUSTED = "exhausted"  # this challenge had its tries: ask for a new one
    MISMATCH = "mismatch"  # the request changed since the challenge began: it is void
    BLOCKED = "blocked"  # the customer's code lockout holds (see ``until``)


@dataclass(frozen=True)
class StepUpAnswer:
    verdict: Verdict
    remaining: int = 0
    until: datetime | None = None


class StepUp(Protocol):
    """Step-up challenges as the bot sees them (SECURITY.md 12-15)."""

    def begin(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView:
        """Decide from the MFA scenarios and start the challenge (replacing any other)."""
        ...

    def answer(
        self, msisdn: str, customer_id: str, request: StepUpRequest, text: str
    ) -> StepUpAnswer:
        """Check a code typed in the chat against the live challenge for ``request``."""
        ...

    def resend(self, msisdn: str, customer_id: str, request: StepUpRequest) -> StepUpView: ...

    def switch(
        self, msisdn: str, customer_id: str, request: StepUpRequest, kind: str = ""
    ) -> StepUpView:
        """Start another way instead: ``kind`` (one of the view's ``ways``; "" the next one).
        The earlier code or link stops working."""
        ...

    def cancel(self, msisdn: str, customer_id: str) -> None: ...

    def passed(self, msisdn: str, request: StepUpRequest) -> bool:
        """True once for a challenge passed on a secure page for exactly this request."""
        ...
