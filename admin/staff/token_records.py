"""Personal API tokens as stored: the token's shape, its Redis keys, the record staff see
(``ApiToken``), what a check needs of an owner (``Owner``, ``Directory``) and the errors a
create, a revoke or a check raise. ``admin.staff.tokens`` does the work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from admin.staff.roles import Role

PREFIX = "tlr_"
ID_LENGTH = 8  # characters after the prefix that name the token in lists and the audit
# What a presented token must look like: the prefix and token_urlsafe(32)'s 43 characters.
TOKEN = re.compile(r"tlr_[A-Za-z0-9_-]{43}")
# A public id as the console posts it back (revoke): the characters token_urlsafe draws from.
TOKEN_ID = re.compile(rf"[A-Za-z0-9_-]{{{ID_LENGTH}}}")
NAME_MAX = 60
MAX_ACTIVE = 10  # per owner: enough for a few scripts, few enough to keep track of
LAST_USED_EVERY = timedelta(minutes=1)
REVOKED_KEPT = timedelta(days=30)
_KEY_LABEL = b"teller/staff-api-tokens/v1"

# Keys (one hash tag, so a create's check-and-write is one transaction on one cluster slot):
RECORD_KEY = "teller:{{staff}}:api-token:{token_id}"
# hash: digest (hex HMAC of the whole token), owner, name, created_at (ISO); later
# last_used_at, revoked_at + revoked_by, refused_at (ISO; each absent until it happens);
# expires REVOKED_KEPT after its revocation.
OWNER_KEY = "teller:{{staff}}:api-tokens:{owner}"
# set of the owner's token ids; an id whose hash has expired is dropped when listed.


def token_key(token_id: str) -> str:
    return RECORD_KEY.format(token_id=token_id)


def owner_key(owner: str) -> str:
    return OWNER_KEY.format(owner=owner)


def derive_key(secret_key: str) -> bytes:
    """The digest key: an HMAC of a fixed label under the app's secret (this use only)."""
    return hmac.new(secret_key.encode(), _KEY_LABEL, hashlib.sha256).digest()


class Owner(Protocol):
    """What a token check needs of its owner's account (``admin.staff.accounts.StaffUser``)."""

    @property
    def username(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def active(self) -> bool: ...


class Directory(Protocol):
    """Where owners are looked up (``admin.staff.accounts.StaffAccounts``)."""

    def get(self, username: str) -> Owner | None: ...


@dataclass(frozen=True)
class ApiToken:
    """A token as lists show it: never its secret part nor its digest."""

    token_id: str
    owner: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Bearer:
    """Who a valid token speaks for: its owner (as stored now) and the token."""

    owner: Owner
    token: ApiToken


class TokenProblem(Exception):
    """A create refused; ``problems`` are "field: what to do" lines, as the console shows."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class TokenNotFound(Exception):
    """No such token, or not one the caller may revoke (the same answer: no one learns of
    another's tokens by guessing ids)."""


class TokenRefused(Exception):
    """A presented token that doesn't authenticate; ``reason`` says why, for the 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_time(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def from_fields(token_id: str, fields: dict[str, str]) -> ApiToken:
    created = parse_time(fields.get("created_at"))
    assert created is not None  # written with every token
    return ApiToken(
        token_id=token_id,
        owner=fields.get("owner", ""),
        name=fields.get("name", ""),
        created_at=created,
        last_used_at=parse_time(fields.get("last_used_at")),
        revoked_at=parse_time(fields.get("revoked_at")),
        revoked_by=fields.get("revoked_by", ""),
    )


def check_name(raw: str, taken: set[str]) -> tuple[str, list[str]]:
    """The name as stored (trimmed) and its problems."""
    name = " ".join(raw.split())
    if not 1 <= len(name) <= NAME_MAX or not name.isprintable():
        return name, [f"name: 1-{NAME_MAX} characters, say what the token is for (e.g. deploy)"]
    if name.casefold() in taken:
        return name, ["name: you already have a token with this name; choose another"]
    return name, []
