"""What the conversation needs from identity, as plain data and one Protocol (no Redis here), so
``flows/`` stays pure and tests can hand it a fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
