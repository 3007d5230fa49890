"""``/secure/login/<token>`` and ``/secure/pin/<token>``: log in, change the PIN."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from auth import login as logins
from auth.links import Purpose
from auth.web import (
    address,
    agent,
    blocked_page,
    bp,
    finished,
    gone,
    guard_post,
    open_link,
    page,
    refusal,
    service,
)


@bp.route("/login/<token>", methods=["GET", "POST"])
def login(token: str) -> ResponseReturnValue:
    link = open_link(token, Purpose.LOGIN)
    if link is None:
        return gone()
    if request.method == "GET":
        until = service().blocked_until(link.msisdn)
        if until is not None:
            return blocked_page(until)
        return page("secure/login.html", token=token)
    refused = guard_post(link)
    if refused is not None:
        return refused
    attempt = logins.login(
        service(),
        link,
        request.form.get("login_id", "")[:40],
        request.form.get("pin", "")[:40],
        address(),
        agent(),
    )
    if attempt.ok:
        return finished(link, "logged_in")
    if attempt.gone:
        return gone()
    if attempt.blocked_until is not None:
        return blocked_page(attempt.blocked_until)
    return page(
        "secure/login.html", 401 if attempt.remaining else 400, token=token, **refusal(attempt)
    )


@bp.route("/pin/<token>", methods=["GET", "POST"])
def change_pin(token: str) -> ResponseReturnValue:
    link = open_link(token, Purpose.CHANGE_PIN)
    if link is None:
        return gone()
    if request.method == "GET":
        until = service().blocked_until(link.msisdn)
        if until is not None:
            return blocked_page(until)
        return page("secure/pin.html", token=token)
    refused = guard_post(link)
    if refused is not None:
        return refused
    attempt = logins.change_pin(
        service(),
        link,
        request.form.get("current_pin", "")[:40],
        request.form.get("new_pin", "")[:40],
        request.form.get("repeat_pin", "")[:40],
        address(),
    )
    if attempt.ok:
        return finished(link, "pin_changed")
    if attempt.gone:
        return gone()
    if attempt.blocked_until is not None:
        return blocked_page(attempt.blocked_until)
    return page(
        "secure/pin.html", 401 if attempt.remaining else 400, token=token, **refusal(attempt)
    )
