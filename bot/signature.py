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
    return bool(validator.validate(signed_url(public_base_url, request), request.form, signature))
