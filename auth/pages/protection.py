"""What every page Teller serves to a browser shares: CSRF on form posts (Flask-WTF), the
secure pages' headers on every response (``Cache-Control: no-store``, a strict
Content-Security-Policy with no inline script or style and no external asset,
``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` — the token is in the URL), and who
is asking (address, browser, a random id per browser kept in the signed session cookie).

The secure pages use it, and so do the public pages in ``bot`` (the claim page, ``/verify``).
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; "
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
        # A multipart part without a name (name=None) is no form any page of ours makes, and
        # Flask-WTF's token lookup fails on it with a 500: refused first, with the pages' own
        # answer to a form that can't be used (each blueprint renders CSRFError).
        if None in request.form or None in request.files:
            raise CSRFError("The form could not be read.")
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
