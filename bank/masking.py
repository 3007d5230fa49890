"""The one masking module: account, card, phone and email as replies, receipts and logs show them.

Never more than the last 4 digits of an account or card; phones keep the country code and the
last 4. Never raises: anything unparsable is masked harder, not shown.
"""

from __future__ import annotations

import phonenumbers

DOT = "•"


def _last4(value: str) -> str:
    value = value.strip()
    if len(value) <= 4:
        return DOT * 4
    return DOT * 2 + value[-4:]


def mask_account(number: str) -> str:
    """``0123456789`` → ``••6789``."""
    return _last4(number)


def mask_card(pan: str) -> str:
    """``5399831234564242`` → ``••4242`` (never an expiry or CVV: they are never stored)."""
    return _last4(pan.replace(" ", ""))


def mask_phone(msisdn: str) -> str:
    """``+2348030000001`` → ``+234•••••0001``; a ``whatsapp:`` prefix is dropped."""
    number = msisdn.strip().removeprefix("whatsapp:")
    try:
        code = str(phonenumbers.parse(number).country_code)
    except phonenumbers.NumberParseException:
        return _last4(number)
    digits = number.lstrip("+")
    if not digits.startswith(code) or len(digits) <= len(code) + 4:
        return _last4(number)
    return f"+{code}{DOT * 5}{digits[-4:]}"


def mask_email(address: str) -> str:
    """``amina@example.com`` → ``a••••@example.com``."""
    local, at, domain = address.strip().partition("@")
    if not at or not local:
        return DOT * 4
    return f"{local[0]}{DOT * 4}@{domain}"
