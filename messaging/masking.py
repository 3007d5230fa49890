"""The one masking module: how account numbers, card numbers, phone numbers and email addresses
appear in chat replies, receipts and logs (SECURITY.md rule 19). Accounts and cards show only
their last 4 digits (``••6789``), phones their country code and last 4 (``+234•••••0001``),
emails their first letter and domain. The bullet count is fixed, so a mask never reveals a length.
Every function accepts anything and never raises: input it cannot make sense of is masked harder
(fully, or down to its last 4 characters), never shown as it is.
"""

from __future__ import annotations

import functools

import phonenumbers

DOT = "•"
HIDDEN = DOT * 4


def _last4(value: object) -> str:
    if not isinstance(value, str):
        return HIDDEN
    text = "".join(value.split()).replace("-", "")
    if len(text) <= 4:  # showing 4 of 4 characters would show everything
        return HIDDEN
    return DOT * 2 + text[-4:]


def mask_account(number: str) -> str:
    """``0123456789`` → ``••6789``; 4 characters or fewer → ``••••``."""
    return _last4(number)


def mask_card(pan: str) -> str:
    """``5399831234564242`` → ``••4242``. Less than PCI DSS's first-6-last-4 allowance, on
    purpose: nothing Teller does needs the BIN."""
    return _last4(pan)


def mask_phone(msisdn: str) -> str:
    """``+2348030000001`` (or ``whatsapp:+2348030000001``) → ``+234•••••0001``."""
    if not isinstance(msisdn, str):
        return HIDDEN
    return _mask_number(msisdn)


# Every webhook request logs its sender masked, and parsing the number costs more than the
# conversation engine: the few thousand numbers a process sees are remembered.
@functools.lru_cache(maxsize=4096)
def _mask_number(msisdn: str) -> str:
    number = msisdn.strip()
    if number.lower().startswith("whatsapp:"):
        number = number[len("whatsapp:") :].strip()
    try:
        code = str(phonenumbers.parse(number, None).country_code)
    except Exception:  # masking must never raise; any parse failure falls back to last 4
        return _last4(number)
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits.startswith(code) or len(digits) <= len(code) + 4:
        return _last4(number)
    return f"+{code}{DOT * 5}{digits[-4:]}"


def mask_email(address: str) -> str:
    """``amina@example.com`` → ``a••••@example.com``; not an address → ``••••``."""
    if not isinstance(address, str):
        return HIDDEN
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return HIDDEN
    return f"{local[0]}{HIDDEN}@{domain}"


def mask_name(name: str) -> str:
    """Someone else's name as the chat may show it before a payment: the first name and the
    initial of the last (``Otieno Odhiambo`` → ``Otieno O.``); a single name stays as it is."""
    parts = name.split() if isinstance(name, str) else []
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0].upper()}."
