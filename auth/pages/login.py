"""``/secure/login/<token>`` and ``/secure/pin/<token>``: log in, change the PIN."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from auth import login as logins
from auth.attempts import Attempt
from auth.pages.common import blocked_page, finished, gone, opened, page, refusal, service
from auth.pages.protection import address, agent
from auth.stores.links import Link, Purpose


def login(token: str) -> ResponseReturnValue:
    link = opened(token, Purpose.LOGIN)
    if request.method == "GET":
        return page("secure/login.html", token=token)
    attempt = logins.login(
        service(),
        link,
        request.form.get("login_id", "")[:40],
        request.form.get("pin", "")[:40],
        address(),
        agent(),
    )
    return _answer(attempt, link, "logged_in", "secure/login.html", token)


def change_pin(token: str) -> ResponseReturnValue:
    link = opened(token, Purpose.CHANGE_PIN)
    if request.method == "GET":
        return page("secure/pin.html", token=token)
    attempt = logins.change_pin(
        service(),
        link,
        request.form.get("current_pin", "")[:40],
        request.form.get("new_pin", "")[:40],
        request.form.get("repeat_pin", "")[:40],
        address(),
    )
    return _answer(attempt, link, "pin_changed", "secure/pin.html", token)


def _answer(
    attempt: Attempt, link: Link, done: str, template: str, token: str
) -> ResponseReturnValue:
    """The page an attempt earns: done, gone, blocked, or the form again with why."""
    if attempt.ok:
        return finished(link, done)
    if attempt.gone:
        return gone()
    if attempt.blocked_until is not None:
        return blocked_page(link.msisdn, attempt.blocked_until)
    status = 401 if attempt.remaining else 400
    return page(template, status, token=token, **refusal(attempt))
