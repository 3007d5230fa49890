"""The staff console under ``/admin``: server-rendered pages for bank staff, each behind a
sign-in and a role (``guard``), with CSRF on every form, ``no-store`` and a strict CSP on every
answer (``auth.pages.protection``), and Teller's own pages for a refusal (403), an expired form,
an unknown page and Redis being down.

``bp`` (``admin.console.blueprint``) is the blueprint; each screen's module adds its routes to it
(``@bp.get(...)``) and is imported here, in the list below. The JSON
API for the same data is ``admin.api`` (``/admin/api/v1``), which has its own guard.
"""

from __future__ import annotations

import logging

from flask import g, make_response, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import NotFound

from admin.console import (
    approvals,
    audit,
    customers,
    dry_run,
    home,
    kyc,
    kyc_customer,
    kyc_reviews,
    mfa_config,
    scenario_edit,
    scenarios,
    signin,
    staff,
    tokens,
)
from admin.console.blueprint import bp
from admin.console.guard import Forbidden, signed_in
from admin.console.render import page
from admin.staff.roles import describe
from auth.pages.protection import protect_pages
from bank.ports import BankUnavailable

log = logging.getLogger("teller.console")
BANK_RETRY_AFTER_S = 60  # what the bank-busy page asks for ("try again in a minute")
__all__ = ["bp", "not_found_page"]

# (rule, endpoint, view, methods): endpoints are what templates pass to url_for("console.…").
ROUTES = (
    ("", "home", home.home, ["GET"]),
    ("/login", "login", signin.login, ["GET", "POST"]),
    ("/logout", "logout", signin.logout, ["POST"]),
    ("/setup/<token>", "setup", signin.setup, ["GET", "POST"]),
    ("/setup/<token>/authenticator", "setup_authenticator", signin.setup_authenticator,
     ["GET", "POST"]),
)  # fmt: skip


def _forbidden(exc: Forbidden) -> ResponseReturnValue:
    user = signed_in()
    role = user.role if user else None
    log.info("console: %s refused %s %s", role, request.method, request.path)
    return page(
        "admin/forbidden.html",
        403,
        needed=exc.permission.value.replace("_", " "),
        role_text=describe(role) if role else "",
    )


def _csrf_failed(exc: CSRFError) -> ResponseReturnValue:
    return page("admin/problem.html", 400, reason="expired_form")


def _not_found(exc: NotFound) -> ResponseReturnValue:
    return not_found_page()


def not_found_page() -> ResponseReturnValue:
    """The console's 404 page (also for addresses under /admin that no route has)."""
    return page("admin/problem.html", 404, reason="not_found")


def _redis_down(exc: RedisError) -> ResponseReturnValue:
    if not isinstance(exc, RedisConnectionError | RedisTimeoutError):
        raise exc
    log.error("console: Redis unavailable (%s)", type(exc).__name__)
    g.staff = None  # who is signed in can't be read either
    return page("admin/problem.html", 503, reason="unavailable")


def _bank_busy(exc: BankUnavailable) -> ResponseReturnValue:
    """The bank's database stayed busy past its timeout: nothing was written; try again."""
    log.error("console: the bank is unavailable (%s)", exc)
    response = make_response(page("admin/problem.html", 503, reason="bank_busy"))
    response.headers["Retry-After"] = str(BANK_RETRY_AFTER_S)
    return response


# Modules whose routes are added with @bp.get/@bp.post when imported (above).
SCREENS = (
    approvals,
    audit,
    customers,
    dry_run,
    kyc,
    kyc_customer,
    kyc_reviews,
    mfa_config,
    scenario_edit,
    scenarios,
    staff,
    tokens,
)
protect_pages(bp)
bp.register_error_handler(Forbidden, _forbidden)
bp.register_error_handler(CSRFError, _csrf_failed)
bp.register_error_handler(NotFound, _not_found)
bp.register_error_handler(RedisError, _redis_down)
bp.register_error_handler(BankUnavailable, _bank_busy)
for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)
