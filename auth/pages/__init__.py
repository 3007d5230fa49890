"""The secure pages under ``/secure``: where customers register, log in, change their PIN,
answer a step-up's security questions, set a card's PIN, open a wallet, log in to receive
money sent to their number and upload KYC documents, so no secret (and no document) ever
travels through the chat (SECURITY.md 6).

This module makes the blueprint and registers every page's routes on it; the views live one
module per page (``register``, ``login``, ``stepup``, ``cardpin``, ``onboard``, ``claim``) over
``common`` (rendering and ``opened``, the one way a view opens its link) and ``protection``
(CSRF and headers). A link
that is expired, used, unknown or bound to another browser gets the same neutral page. Form
posts are rate-limited per number and per address; a link is bound to the first browser that
posts it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, make_response
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import RequestEntityTooLarge

from auth.pages import cardpin, claim, kyc, login, onboard, register, stepup
from auth.pages.common import page
from auth.pages.protection import csrf, protect_pages
from bank.ports import BankUnavailable

__all__ = ["bp", "csrf", "init_app"]

log = logging.getLogger("teller.secure")
BANK_RETRY_AFTER_S = 60  # what the bank-busy page asks for ("try again in a minute")
bp = Blueprint("secure", __name__, url_prefix="/secure")

# (rule, endpoint, view, methods): the endpoints are the names templates pass to url_for.
ROUTES = (
    ("/register/<token>", "register", register.register, ["GET"]),
    ("/register/<token>/code", "send_code", register.send_code, ["POST"]),
    ("/register/<token>/details", "details", register.details, ["POST"]),
    ("/register/<token>/credentials", "credentials", register.credentials, ["POST"]),
    ("/register/<token>/questions", "questions", register.questions, ["POST"]),
    ("/register/<token>/authenticator", "authenticator", register.authenticator, ["POST"]),
    ("/login/<token>", "login", login.login, ["GET", "POST"]),
    ("/pin/<token>", "change_pin", login.change_pin, ["GET", "POST"]),
    ("/stepup/<token>", "stepup", stepup.stepup, ["GET", "POST"]),
    ("/cardpin/<token>", "card_pin", cardpin.card_pin, ["GET", "POST"]),
    ("/kyc/<token>", "kyc_upload", kyc.kyc_upload, ["GET", "POST"]),
    ("/onboard/<token>", "onboard", onboard.onboard, ["GET"]),
    ("/onboard/<token>/code", "onboard_send_code", onboard.send_code, ["POST"]),
    ("/onboard/<token>/details", "onboard_details", onboard.details, ["POST"]),
    ("/onboard/<token>/email", "onboard_email", onboard.email_code, ["POST"]),
    ("/onboard/<token>/email/code", "onboard_email_code", onboard.send_email_code, ["POST"]),
    ("/onboard/<token>/credentials", "onboard_credentials", onboard.credentials, ["POST"]),
    ("/onboard/<token>/questions", "onboard_questions", onboard.questions, ["POST"]),
    ("/onboard/<token>/authenticator", "onboard_authenticator", onboard.authenticator, ["POST"]),
    ("/terms", "terms", onboard.terms, ["GET"]),
    ("/claim/<token>", "claim", claim.claim, ["GET", "POST"]),
)


def init_app(app_config: dict[str, object], secure_cookies: bool) -> None:
    """Cookie and CSRF settings the pages rely on (called from the app factory)."""
    app_config.update(
        SESSION_COOKIE_NAME="teller_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        # Only /secure (and later /admin) checks CSRF: Twilio's webhooks and the JSON APIs
        # authenticate otherwise.
        WTF_CSRF_CHECK_DEFAULT=False,
        # Flask-WTF's HTTPS referrer check needs a Referer header, which no-referrer removes;
        # the token plus SameSite cookies already bind the form to this site.
        WTF_CSRF_SSL_STRICT=False,
        WTF_CSRF_TIME_LIMIT=15 * 60,
    )


def _csrf_failed(exc: CSRFError) -> ResponseReturnValue:
    return page("secure/problem.html", 400, reason="expired_form")


def _redis_down(exc: RedisError) -> ResponseReturnValue:
    if not isinstance(exc, RedisConnectionError | RedisTimeoutError):
        raise exc  # a bug (a script error, a wrong type), not an outage: a 500 with its traceback
    log.error("secure page: Redis unavailable (%s)", type(exc).__name__)
    return page("secure/problem.html", 503, reason="unavailable")


def _bank_busy(exc: BankUnavailable) -> ResponseReturnValue:
    """The bank's database stayed busy past its timeout: nothing was written (the transaction
    rolled back), so the person just tries again in a minute."""
    log.error("secure page: the bank is unavailable (%s)", exc)
    response = make_response(page("secure/problem.html", 503, reason="bank_busy"))
    response.headers["Retry-After"] = str(BANK_RETRY_AFTER_S)
    return response


bp.before_request(kyc.raise_upload_limit)  # before CSRF reads the form: uploads only
protect_pages(bp)
bp.register_error_handler(RequestEntityTooLarge, kyc.too_large)
bp.register_error_handler(CSRFError, _csrf_failed)
bp.register_error_handler(RedisError, _redis_down)
bp.register_error_handler(BankUnavailable, _bank_busy)
for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)
