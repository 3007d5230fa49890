"""Authenticator apps (TOTP, RFC 6238) with pyotp: secrets, the provisioning URI and its QR code,
and verification that accepts the current and previous 30-second step only, each step once.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno

DIGITS = 6
INTERVAL = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI: served inline, no external asset, no script."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (current or previous), or None. Constant-time compare."""
    candidate = code.strip()
    if not (candidate.isascii() and candidate.isdigit() and len(candidate) == DIGITS):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    step = int(now.timestamp()) // INTERVAL
    for offset in (0, -1):
        expected = totp.generate_otp(step + offset)
        if hmac.compare_digest(expected, candidate):
            return step + offset
    return None
