"""Twilio webhook signature checks with Twilio's own RequestValidator.

The URL Twilio signed is ``PUBLIC_BASE_URL`` + path (+ query): behind a TLS-terminating proxy
the request Flask sees says ``http``, while Twilio signed ``https``. Fails closed: a missing or
wrong signature is invalid.
"""

from __future__ import annotations

from flask import Request
from twilio.request_validator import RequestValidator


def signed_url(public_base_url: str, request: Request) -> str:
    path = request.full_path.rstrip("?")
    return f"{public_base_url.rstrip('/')}{path}"


def is_valid(validator: RequestValidator, public_base_url: str, request: Request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    form = request.form
    if any(not isinstance(name, str) for name in form):
        # A multipart part without a name is read as a field named None, which the validator
        # can't sort (TypeError, a 500). Twilio never sends one: refuse it as unsigned.
        return False
    return bool(validator.validate(signed_url(public_base_url, request), form, signature))
