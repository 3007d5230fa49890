"""Keys derived from the app's secrets, and the rule for rotating them.

Every use of ``SECRET_KEY`` takes its own key, an HMAC of a fixed label under the secret
(domain separation: what one use makes never verifies in another). During a rotation
(``SECRET_KEY_PREVIOUS`` set) the previous secret's keys still open and verify what they made,
until that expires; only the current one makes anything new. ``Ring`` is that rule for the
AES-256-GCM uses (sealed replies, KYC documents), in one place.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def derive(secret: str, label: bytes) -> bytes:
    """The key for one use: HMAC-SHA256 of the use's label under the secret."""
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def secrets_of(current: str, previous: str | None) -> tuple[str, ...]:
    """The secrets to try, current first; the previous one only while it is set."""
    return (current, previous) if previous else (current,)


class Ring:
    """AES-256-GCM under the current key, opening with the current or the previous one."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a ring needs at least the current key")
        self._aeads = [AESGCM(key) for key in keys]

    @classmethod
    def of(cls, label: bytes, current: str, previous: str | None = None) -> Ring:
        return cls([derive(secret, label) for secret in secrets_of(current, previous)])

    def seal(self, data: bytes, associated: bytes | None = None) -> bytes:
        """nonce ‖ ciphertext under the current key."""
        nonce = os.urandom(12)
        return nonce + self._aeads[0].encrypt(nonce, data, associated)

    def open(self, sealed: bytes, associated: bytes | None = None) -> bytes | None:
        """The data, or None when no key of the ring sealed it (or it was altered)."""
        nonce, body = sealed[:12], sealed[12:]
        for aead in self._aeads:
            try:
                return aead.decrypt(nonce, body, associated)
            except (InvalidTag, ValueError):
                continue
        return None
