"""The token-check service for client services (DESIGN.md, HTTP contract):

``POST /auth/v1/token/check`` with ``{"channel": "whatsapp", "user": "+E164"}`` and
``Authorization: Bearer $AUTH_API_KEY`` → ``{"status", "expires_at"}``; ``valid`` extends the
session. ``POST /auth/v1/token/revoke`` ends it and every outstanding link (log out
everywhere). The key is compared in constant time; errors
are JSON with a clear message: 400 malformed, 401 without the key, 503 if Redis is down.
Nothing is cached: every answer carries ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from redis.exceptions import RedisError
from werkzeug.exceptions import RequestEntityTooLarge

from auth.json_body import json_body
from auth.wiring import services
from bank.ports import BankUnavailable

bp = Blueprint("auth_api", __name__, url_prefix="/auth/v1")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
CHANNELS = frozenset({"whatsapp"})


def _error(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="teller"'
    return response


def _authorised() -> bool:
    expected = services().config.auth_api_key
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _user() -> tuple[str | None, Response | None]:
    """The body's user after checks, or the 400 that says what is wrong."""
    body: Any = json_body()
    if not isinstance(body, dict):
        return None, _error(
            400,
            'body: must be a JSON object such as {"channel": "whatsapp", "user": "+2348030000001"}',
        )
    channel, user = body.get("channel"), body.get("user")
    if not isinstance(channel, str) or channel not in CHANNELS:  # {} or [] can't be hashed
        return None, _error(400, 'channel: must be "whatsapp"')
    if not isinstance(user, str) or not _E164.fullmatch(user):
        return None, _error(400, "user: must be an E.164 number such as +2348030000001")
    unknown = set(body) - {"channel", "user"}
    if unknown:
        return None, _error(400, f"unknown fields: {', '.join(sorted(unknown))}")
    return user, None


@bp.before_request
def _guard() -> Response | None:
    if not _authorised():
        return _error(401, "missing or wrong API key: send Authorization: Bearer <AUTH_API_KEY>")
    return None


@bp.after_app_request
def _no_store(response: Response) -> Response:
    """No answer of the token API is cached, whatever its status (404 and 405 under the
    prefix too, which no view of the blueprint answers)."""
    if request.path.startswith(f"{bp.url_prefix}/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> Response:
    """Over the app's body limit: the API's own JSON, not Flask's HTML page."""
    return _error(413, "body: too large (at most 64 KiB)")


@bp.errorhandler(RedisError)
def _redis_down(exc: RedisError) -> Response:
    return _error(503, "the token service is temporarily unavailable; try again shortly")


@bp.errorhandler(BankUnavailable)
def _bank_busy(exc: BankUnavailable) -> Response:
    response = _error(503, "the bank is temporarily unavailable; try again in a minute")
    response.headers["Retry-After"] = "60"
    return response


@bp.post("/token/check")
def check() -> Response:
    user, problem = _user()
    if problem is not None or user is None:
        return problem or _error(400, "user: required")
    service = services().auth
    result = service.check(user)
    expires = result.expires_at.isoformat() if result.expires_at else None
    return jsonify(status=result.status.value, expires_at=expires)


@bp.post("/token/revoke")
def revoke() -> Response:
    user, problem = _user()
    if problem is not None or user is None:
        return problem or _error(400, "user: required")
    service = services().auth
    customer = service.bank.customer_by_msisdn(user)
    ended = service.logout(
        user, customer.customer_id if customer else "", everywhere=True, channel="api"
    )
    return jsonify(revoked=ended, status="missing")
