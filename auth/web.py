"""The secure pages under ``/secure``: where customers register, log in and change their PIN,
so no secret ever travels through the chat (SECURITY.md 6).

Every page: CSRF-protected forms (Flask-WTF), ``Cache-Control: no-store``, a strict
Content-Security-Policy with no inline script or style and no external asset,
``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` (the token is in the URL). A link
that is expired, used, unknown or bound to another browser gets the same neutral page. Form posts
are rate-limited per number and per address; a link is bound to the first browser that posts it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, current_app, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from auth.attempts import Attempt
from auth.links import Link, Purpose
from auth.ratelimit import PAGE_POSTS_PER_ADDRESS, PAGE_POSTS_PER_NUMBER, RateLimited
from auth.service import AuthService
from messaging.masking import mask_phone

log = logging.getLogger("teller.secure")
bp = Blueprint("secure", __name__, url_prefix="/secure")
csrf = CSRFProtect()

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


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


def service() -> AuthService:
    return current_app.extensions["teller"].auth  # type: ignore[no-any-return]


def address() -> str:
    return request.remote_addr or "unknown"


def agent() -> str:
    return request.headers.get("User-Agent", "")[:300]


def browser_id() -> str:
    """A random id for this browser, kept in the signed session cookie."""
    if "browser" not in session:
        session["browser"] = secrets.token_urlsafe(16)
    return str(session["browser"])


def _protect() -> ResponseReturnValue | None:
    if request.method == "POST":
        csrf.protect()
    return None


def _headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def protect_pages(blueprint: Blueprint) -> None:
    """CSRF on every form post and the secure pages' headers (no-store, CSP, DENY,
    no-referrer) on every response of ``blueprint``: public pages get the same protection."""
    blueprint.before_request(_protect)
    blueprint.after_request(_headers)


protect_pages(bp)


@bp.errorhandler(CSRFError)
def _csrf_failed(exc: CSRFError) -> ResponseReturnValue:
    return page("secure/problem.html", 400, reason="expired_form")


@bp.errorhandler(RedisError)
def _redis_down(exc: RedisError) -> ResponseReturnValue:
    if not isinstance(exc, RedisConnectionError | RedisTimeoutError):
        raise exc  # a bug (a script error, a wrong type), not an outage: a 500 with its traceback
    log.error("secure page: Redis unavailable (%s)", type(exc).__name__)
    return page("secure/problem.html", 503, reason="unavailable")


def page(template: str, status: int = 200, **values: object) -> ResponseReturnValue:
    return render_template(template, bank_name=service().bank_name, **values), status


def gone() -> ResponseReturnValue:
    """The one neutral answer for expired, used, unknown and foreign links."""
    return page("secure/gone.html", 404)


def open_link(token: str, purpose: Purpose) -> Link | None:
    link = service().open_link(token, purpose)
    if link is None:
        return None
    if link.browser and link.browser != session.get("browser"):
        return None  # bound to another browser: the same answer as an unknown link
    return link


def guard_post(link: Link) -> ResponseReturnValue | None:
    """Rate limits and browser binding for a form post; None when it may go on."""
    now = service().clock()
    try:
        service().limiter.hit(PAGE_POSTS_PER_ADDRESS, address(), now)
        service().limiter.hit(PAGE_POSTS_PER_NUMBER, link.msisdn, now)
    except RateLimited as exc:
        log.warning("secure page: rate limit %s for %s", exc.limit.scope, mask_phone(link.msisdn))
        minutes = max(1, -(-exc.retry_after_s // 60))
        return page("secure/problem.html", 429, reason="rate_limited", minutes=minutes)
    if not service().links.bind(link, browser_id()):
        return gone()
    return None


def refusal(attempt: Attempt) -> dict[str, object]:
    """Template values for a refused attempt (never which factor was wrong)."""
    return {
        "problems": list(attempt.problems),
        "remaining": attempt.remaining,
        "blocked_until": _hhmm(attempt.blocked_until),
    }


def blocked_page(until: datetime | None) -> ResponseReturnValue:
    return page("secure/blocked.html", 403, until=_hhmm(until))


def _hhmm(at: datetime | None) -> str | None:
    return at.strftime("%H:%M UTC on %d %b") if at else None


def finished(link: Link, what: str) -> ResponseReturnValue:
    """The success page; the chat carries on with the interrupted intent."""
    resumed = False
    if what in ("registered", "logged_in", "stepup_passed"):
        resume: Callable[[str], bool] = current_app.extensions["teller"].resume
        try:
            resumed = resume(link.msisdn)
        except Exception:  # the customer is logged in either way; the chat can catch up
            log.exception("resume after %s failed for %s", what, mask_phone(link.msisdn))
    return page("secure/done.html", what=what, resumed=resumed)


from auth import web_cardpin, web_login, web_register, web_stepup  # noqa: E402,F401  (routes on this blueprint)
