"""``/secure/login/<token>`` and ``/secure/pin/<token>``: log in, change the PIN."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from auth import login as logins
from auth.pages.common import blocked_page, finished, gone, opened, page, refusal, service
from auth.pages.protection import address, agent
from auth.stores.links import Purpose


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
    if attempt.ok:
        return finished(link, "logged_in")
    if attempt.gone:
        return gone()
    if attempt.blocked_until is not None:
        return blocked_page(attempt.blocked_until)
    return page(
        "secure/login.html", 401 if attempt.remaining else 400, token=token, **refusal(attempt)
    )


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
    if attempt.ok:
        return finished(link, "pin_changed")
    if attempt.gone:
        return gone()
    if attempt.blocked_until is not None:
        return blocked_page(attempt.blocked_until)
    return page(
        "secure/pin.html", 401 if attempt.remaining else 400, token=token, **refusal(attempt)
    )
