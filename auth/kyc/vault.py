"""Where uploaded KYC documents are kept until staff have reviewed them: in Redis, encrypted
with AES-256-GCM under a key derived from ``SECRET_KEY`` for this use only, for 30 days.

The key is an HMAC of a fixed label under the secret (domain separation: a session cookie or a
sealed reply can never open a document, nor the other way round), and each document's key in
Redis is its associated data, so a ciphertext copied under another document's key does not
open. A dump of Redis holds no document in the clear; a document is never logged.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from redis import Redis

from messaging.keys import Ring

# Key — value shape, lifetime:
DOC_KEY = "teller:kyc:doc:{request_id}:{slot}"
# str: base64(nonce ‖ AES-GCM(content)), the cleaned file's bytes — expires with its request.
TTL = timedelta(days=30)
_LABEL = b"teller/kyc-documents/v1"


class DocumentVault:
    def __init__(
        self,
        redis: Redis,
        secret_key: str,
        ttl: timedelta = TTL,
        previous_secret_key: str | None = None,
    ) -> None:
        self.redis = redis
        self.ttl = ttl
        # During a SECRET_KEY rotation documents sealed before it still open (30 days at most).
        self._ring = Ring.of(_LABEL, secret_key, previous_secret_key)

    def put(self, request_id: str, slot: str, content: bytes) -> None:
        key = DOC_KEY.format(request_id=request_id, slot=slot)
        sealed = self._ring.seal(content, key.encode())
        self.redis.set(key, base64.b64encode(sealed).decode(), ex=int(self.ttl.total_seconds()))

    def get(self, request_id: str, slot: str) -> bytes | None:
        """The document's bytes; None when expired, removed, or not sealed by this key."""
        key = DOC_KEY.format(request_id=request_id, slot=slot)
        stored = self.redis.get(key)
        if not stored:
            return None
        try:
            raw = base64.b64decode(str(stored))
        except (binascii.Error, ValueError):
            return None
        return self._ring.open(raw, key.encode())

    def delete(self, request_id: str, slots: tuple[str, ...]) -> None:
        keys = [DOC_KEY.format(request_id=request_id, slot=slot) for slot in slots]
        if keys:
            self.redis.delete(*keys)
