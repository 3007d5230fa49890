"""Sealing the replies the webhook keeps for replays: AES-256-GCM under a key derived from
``SECRET_KEY``. A stored reply can hold a one-time link or a balance; Redis must hold neither
in the clear (SECURITY.md 9 and 16), yet a retried MessageSid must get the first reply again.
"""

from __future__ import annotations

import base64
import binascii

from messaging.keys import Ring

PREFIX = "v1:"


class Sealer:
    """Seals with the current SECRET_KEY; during a rotation, opens with the previous one too
    (a reply stored just before the switch still answers its replay)."""

    def __init__(
        self,
        secret_key: str,
        purpose: str = "teller:edge-replies",
        previous_secret_key: str | None = None,
    ) -> None:
        self._ring = Ring.of(purpose.encode(), secret_key, previous_secret_key)

    def seal(self, text: str) -> str:
        return PREFIX + base64.urlsafe_b64encode(self._ring.seal(text.encode())).decode()

    def open(self, sealed: str) -> str | None:
        """The text, or None when it is not ours (another key, tampered, or not sealed)."""
        if not sealed.startswith(PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
        except (binascii.Error, ValueError):
            return None
        opened = self._ring.open(raw)
        try:
            return opened.decode() if opened is not None else None
        except UnicodeDecodeError:
            return None
