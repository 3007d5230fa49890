"""Signing in to the console: the one-time set-up link (a password, then an authenticator app
confirmed with a code), the sign-in (username, password and authenticator code together; the
answer never says which was wrong; five failures lock the name for 15 minutes), and signing
out. Every sign-in, failure, lockout, set-up and sign-out is audited.
"""

from __future__ import annotations

from datetime import datetime

import segno
from flask import make_response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from admin.console.guard import COOKIE, audit_staff, safe_next, signed_in
from admin.console.render import by_field, page
from admin.staff.accounts import MAX_FAILURES, StaffUser
from admin.wiring import services

SETUP_FIELDS = ("password", "again", "code", "link")


def _signed_in_response(user: StaffUser, target: str) -> Response:
    """Start a new session (a new token at every sign-in) and go on to ``target``."""
    graph = services()
    token = graph.staff.sessions.start(user.username)
    response = redirect(target)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=graph.config.public_base_url.startswith("https"),
        path="/admin",
    )
    return response


def _local(at: datetime) -> str:
    return at.astimezone(services().zone).strftime("%H:%M")


def login() -> ResponseReturnValue:
    if request.method != "POST":  # GET, and HEAD from monitors and link previews
        if signed_in() is not None:
            return redirect(url_for("console.home"))
        return page("admin/login.html", next=request.args.get("next", ""))
    form = request.form
    username = form.get("username", "").strip().lower()[:64]
    answer = services().staff.sign_in(username, form.get("password", ""), form.get("code", ""))
    known = services().staff.get(username) is not None
    actor = username if known else "unknown"
    if answer.user is not None:
        audit_staff("staff.login", actor=answer.user.username)
        return _signed_in_response(answer.user, safe_next(form.get("next")))
    if answer.locked_until is not None:
        audit_staff("staff.login_failed", result="locked", actor=actor)
        message = (
            f"Too many failed sign-ins: this name is locked until {_local(answer.locked_until)} "
            "(bank time). Wait until then, or ask an admin to unlock it."
        )
        return page("admin/login.html", 429, problem=message, username=username)
    audit_staff("staff.login_failed", result="failed", actor=actor, remaining=str(answer.remaining))
    message = "That username, password and code don't match. Check all three and try again."
    if answer.remaining == 1:
        message += " Careful: one more failure locks this name for 15 minutes."
    return page(
        "admin/login.html",
        401,
        problem=message,
        username=username,
        next=form.get("next", ""),
        tries=answer.remaining,
        max_tries=MAX_FAILURES,
    )


def logout() -> ResponseReturnValue:
    token = request.cookies.get(COOKIE, "")
    username = services().staff.sessions.end(token) if token else None
    if username is not None:
        audit_staff("staff.logout", actor=username)
    response = make_response(redirect(url_for("console.login")))
    response.delete_cookie(COOKIE, path="/admin")
    return response


def setup(token: str) -> ResponseReturnValue:
    """Step 1 of a new account (or a reset one): choose the password."""
    accounts = services().staff
    user = accounts.open_setup(token)
    if user is None:
        return page("admin/setup_gone.html", 404)
    if request.method != "POST":
        if accounts.has_password(user.username):
            return redirect(url_for("console.setup_authenticator", token=token))
        return page("admin/setup_password.html", user=user, token=token, problems={})
    problems = accounts.choose_password(
        token, request.form.get("password", ""), request.form.get("again", "")
    )
    if problems:
        grouped = by_field(problems, SETUP_FIELDS)
        return page("admin/setup_password.html", 422, user=user, token=token, problems=grouped)
    return redirect(url_for("console.setup_authenticator", token=token))


def setup_authenticator(token: str) -> ResponseReturnValue:
    """Step 2: scan the code into an authenticator app and confirm with a code from it; the
    account is then active and signed in."""
    accounts = services().staff
    user = accounts.open_setup(token)
    if user is None:
        return page("admin/setup_gone.html", 404)
    if not accounts.has_password(user.username):
        return redirect(url_for("console.setup", token=token))
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        done = accounts.confirm_authenticator(token, request.form.get("code", ""))
        if done is not None:
            audit_staff("staff.setup", actor=done.username, role=done.role.value)
            audit_staff("staff.login", actor=done.username)
            return _signed_in_response(done, url_for("console.home"))
        audit_staff("staff.setup", result="failed", actor=user.username)
        problems = {"code": ["that code doesn't match: type the 6 digits the app shows now"]}
    uri = accounts.provisioning_uri(user.username)
    secret = accounts.pending_secret(user.username)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1b1f24")
    status = 422 if problems else 200
    return page(
        "admin/setup_authenticator.html",
        status,
        user=user,
        token=token,
        qr=qr,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        problems=problems,
    )
