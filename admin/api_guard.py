"""Who is calling the admin JSON API, and whether they may (fails closed at every step).

Two ways in, both ``Authorization: Bearer …``:

- a staff member's personal token (``tlr_…``, ``admin.staff.tokens``): the caller is its owner,
  who must exist and be active; the owner's role *now* decides what they may do, and their
  username is the author (``created_by``/``updated_by``) and the audit actor of every change.
  ``X-Admin-User`` is not read.
- the shared ``ADMIN_API_KEY``, for automation only: ``X-Admin-User`` is required and names the
  job; its changes are authored and audited as ``automation:<X-Admin-User>``, so they can be
  told from a person's. It may do everything the API offers.

What a route needs: reads (GET, HEAD, OPTIONS) ``READ_CONFIG``, every other method
``EDIT_CONFIG``, unless the view says otherwise with ``@needs(...)`` (the dry-run, a POST that
changes nothing, needs only ``READ_CONFIG``). Refusals are ``Refused`` carrying the HTTP status
and the message: 401 for no or a wrong credential, 400 for a missing ``X-Admin-User`` with the
shared key, 403 for a role without the permission (naming the role and the permission).
Keys and tokens are compared in constant time; neither is ever logged.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from admin.staff.roles import GRANTS, Permission, Role, can
from admin.staff.token_records import PREFIX, TokenRefused
from admin.staff.tokens import StaffTokens

# Who made a change with the shared key, as it appears in created_by/updated_by and the audit.
STAFF = re.compile(r"[A-Za-z0-9._@-]{1,64}")
STAFF_RULE = "1-64 letters, digits, '.', '_', '-' or '@'"
AUTOMATION = "automation:"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRONG = "missing or wrong API key"
NO_KEY = (
    f"{WRONG}: send Authorization: Bearer <your personal token (tlr_…, from "
    "API tokens in the console)> or, for automation, Bearer <ADMIN_API_KEY> with X-Admin-User"
)
_ATTRIBUTE = "admin_api_permission"
V = TypeVar("V", bound=Callable[..., object])


@dataclass(frozen=True)
class Caller:
    """Who this request speaks for."""

    actor: str  # the author and audit actor of its changes
    role: Role | None  # None: automation with the shared key (every permission)
    token_id: str = ""  # the personal token's public id

    def may(self, permission: Permission) -> bool:
        return self.role is None or can(self.role, permission)


class Refused(Exception):
    """The request is not let in: ``status`` (400, 401 or 403) and why, what to do next."""

    def __init__(self, status: int, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


def needs(permission: Permission) -> Callable[[V], V]:
    """Mark a view as needing ``permission`` instead of its method's default."""

    def mark(view: V) -> V:
        setattr(view, _ATTRIBUTE, permission)
        return view

    return mark


def needed(view: Callable[..., object] | None, method: str) -> Permission:
    """What a request for ``view`` with ``method`` needs (an unknown view: a change's)."""
    marked = getattr(view, _ATTRIBUTE, None)
    if isinstance(marked, Permission):
        return marked
    return Permission.READ_CONFIG if method in SAFE_METHODS else Permission.EDIT_CONFIG


def identify(authorization: str, admin_user: str, shared_key: str, tokens: StaffTokens) -> Caller:
    """The caller the ``Authorization`` and ``X-Admin-User`` headers prove, or ``Refused`` (401,
    or 400 for the shared key without a valid ``X-Admin-User``)."""
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Refused(401, NO_KEY)
    if credential.startswith(PREFIX):
        try:
            bearer = tokens.authenticate(credential)
        except TokenRefused as exc:
            raise Refused(401, f"{WRONG}: {exc.reason}") from exc
        owner = bearer.owner
        return Caller(owner.username, owner.role, bearer.token.token_id)
    if not shared_key or not hmac.compare_digest(credential.encode(), shared_key.encode()):
        raise Refused(401, NO_KEY)
    if not STAFF.fullmatch(admin_user):
        problem = f"X-Admin-User: required with the shared key, naming who calls ({STAFF_RULE})"
        raise Refused(400, "the request could not be read", [problem])
    return Caller(AUTOMATION + admin_user, None)


def authorise(caller: Caller, permission: Permission) -> None:
    """``Refused`` (403) when the caller's role lacks ``permission``: which role, what it
    needs, and which roles have it."""
    if caller.may(permission):
        return
    holders = ", ".join(role.value for role, granted in GRANTS.items() if permission in granted)
    role = caller.role.value if caller.role else "none"
    raise Refused(
        403,
        f"your role, {role}, can't do this: it needs the {permission.value} permission, which "
        f"{holders} have; ask an admin to change your role, or have someone with it do this",
    )
