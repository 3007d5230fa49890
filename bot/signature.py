"""Twilio webhook signature checks with Twilio's own RequestValidator.

The URL Twilio signed is ``PUBLIC_BASE_URL`` + path (+ query): behind a TLS-terminating proxy
the request Flask sees says ``http``, while Twilio signed ``https``. Fails closed: a missing or
wrong signature is invalid.
"""

from __future__ import annotations

from flask import Request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict


class SignedFields(dict[str, list[str]]):
    """The form's fields, each with all its values, in the shape ``RequestValidator`` asks of
    its parameters first (``getall``, a multidict's). Handed Flask's form itself, it tries
    ``getall``, catches the AttributeError and falls back to ``getlist``: twice per field (it
    signs the URL with and without a port), 30 exceptions a message for nothing."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def signed_fields(form: MultiDict[str, str]) -> SignedFields | None:
    """The fields the validator signs; None if a field has no name (refused as unsigned)."""
    fields = SignedFields(form.lists())
    # A multipart part without a name is read as a field named None, which the validator
    # can't sort (TypeError, a 500). Twilio never sends one: refuse it as unsigned.
    if any(not isinstance(name, str) for name in fields):
        return None
    return fields


def signed_url(public_base_url: str, request: Request) -> str:
    path = request.full_path.rstrip("?")
    return f"{public_base_url.rstrip('/')}{path}"


def is_valid(validator: RequestValidator, public_base_url: str, request: Request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    fields = signed_fields(request.form)
    if fields is None:
        return False
    return bool(validator.validate(signed_url(public_base_url, request), fields, signature))
