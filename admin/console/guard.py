"""Who is signed in to the console, and what they may do: every console view is wrapped in
``requires(permission)`` (fails closed: no session → the sign-in page, a role without the
permission → 403, for GET and POST alike), and staff actions are audited through
``audit_staff``.

The session token travels in its own cookie (``teller_staff``: ``HttpOnly``,
``SameSite=Strict``, ``Secure`` over https, path ``/admin``); ``admin.staff.sessions`` keeps
it server-side.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from admin.staff.accounts import StaffUser
from admin.staff.roles import Permission, can
from admin.wiring import services

COOKIE = "teller_staff"
CHANNEL = "console"
P = ParamSpec("P")
R = TypeVar("R")


class Forbidden(Exception):
    """The signed-in role lacks ``permission`` (rendered as the 403 page)."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.value)
        self.permission = permission


def signed_in() -> StaffUser | None:
    """The staff member of this request's live session (cached on ``g``), or None."""
    if "staff" in g:
        found: StaffUser | None = g.staff
        return found
    user = None
    token = request.cookies.get(COOKIE, "")
    accounts = services().staff
    username = accounts.sessions.check(token) if token else None
    if username is not None:
        user = accounts.get(username)
        if user is None or not user.active:
            accounts.sessions.end_all(username)
            user = None
    g.staff = user
    return user


def current_staff() -> StaffUser:
    """The signed-in staff member; only inside a view wrapped by ``requires``."""
    user = signed_in()
    if user is None:
        raise RuntimeError("current_staff() outside a view guarded by requires()")
    return user


def allowed(permission: Permission) -> bool:
    user = signed_in()
    return user is not None and can(user.role, permission)


def requires(
    permission: Permission | None,
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Sign-in required, then ``permission`` (None: any signed-in staff member)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            user = signed_in()
            if user is None:
                target = request.full_path if request.method == "GET" else None
                return redirect(url_for("console.login", next=target))
            if permission is not None and not can(user.role, permission):
                raise Forbidden(permission)
            return view(*args, **kwargs)

        return guarded

    return decorate


def audit_staff(
    event: str,
    result: str = "ok",
    customer_id: str = "",
    msisdn: str = "",
    actor: str | None = None,
    **detail: str,
) -> None:
    """One audit entry for a staff action, by the signed-in staff member (or ``actor``)."""
    graph = services()
    user = signed_in()
    who = actor if actor is not None else (user.username if user else "")
    graph.auth.audit.record(
        event,
        at=graph.clock(),
        customer_id=customer_id,
        msisdn=msisdn,
        channel=CHANNEL,
        result=result,
        actor=who,
        address=request.remote_addr or "unknown",
        **detail,
    )


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path only (no open redirect)."""
    if target and target.startswith("/admin") and not target.startswith("//"):
        return target
    return url_for("console.home")
