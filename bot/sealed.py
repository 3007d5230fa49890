"""Sealing the replies the webhook keeps for replays: AES-256-GCM under a key derived from
``SECRET_KEY``. A stored reply can hold a one-time link or a balance; Redis must hold neither
in the clear (SECURITY.md 9 and 16), yet a retried MessageSid must get the first reply again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"


class Sealer:
    def __init__(self, secret_key: str, purpose: str = "teller:edge-replies") -> None:
        key = hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()
        self._aead = AESGCM(key)

    def seal(self, text: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, text.encode(), None)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str) -> str | None:
        """The text, or None when it is not ours (another key, tampered, or not sealed)."""
        if not sealed.startswith(PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
            return self._aead.decrypt(raw[:12], raw[12:], None).decode()
        except (InvalidTag, ValueError):
            return None
