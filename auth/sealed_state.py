"""Personal details a multi-step secure page keeps between its steps, sealed with its link.

A wallet opening types a name, date of birth and national ID number on its first step and
only uses them at the last: meanwhile they sit in the link's state in Redis. They are sealed
(Fernet: AES-128-CBC + HMAC) with a key derived from the link's token, which only the browser
holds — Redis keeps just the token's SHA-256 digest, a different derivation — so a dump of
Redis alone can't read them, and they vanish with the link.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken


def _fernet(token: str) -> Fernet:
    key = hashlib.sha256(b"teller.sealed-state\x00" + token.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str, values: Mapping[str, str]) -> str:
    return _fernet(token).encrypt(json.dumps(dict(values)).encode()).decode()


def unseal(token: str, sealed: str) -> dict[str, str] | None:
    """The values, or None when they were sealed with another token or tampered with."""
    try:
        raw = _fernet(token).decrypt(sealed.encode())
    except (InvalidToken, ValueError):
        return None
    values = json.loads(raw)
    return {str(k): str(v) for k, v in values.items()}
