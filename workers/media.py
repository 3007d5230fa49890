"""Rendered documents waiting for Twilio to fetch them: PDF bytes in Redis for a short time,
behind a signed, expiring token (``GET /media/<token>``).

A token is ``<media id>.<expiry>.<signature>``: the id is 128 random bits, the expiry a Unix
time, and the signature an HMAC over both (itsdangerous, key derived from ``SECRET_KEY`` with
its own salt). A tampered or expired token is refused before Redis is asked; the bytes expire
from Redis at the same moment anyway. The documents are encrypted, so a leaked URL alone does
not open one, but it should not outlive Twilio's fetch by much either.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer
from redis import Redis
from redis.client import Pipeline

MEDIA_KEY = "teller:media:{media_id}"  # hash: pdf (bytes), name (file name); TTL = the media TTL
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's limit for one media message


@dataclass(frozen=True)
class MediaFile:
    pdf: bytes
    filename: str


class MediaTooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"document of {size} bytes is over WhatsApp's {MAX_BYTES}")
        self.size = size


class MediaStore:
    """Puts documents in Redis (a client with bytes replies) and finds them by token."""

    def __init__(
        self,
        raw: Redis,
        secret_key: str,
        ttl: timedelta,
        clock: Callable[[], datetime],
        previous_secret_key: str | None = None,
    ) -> None:
        self.raw = raw
        self.signer = Signer(secret_key, salt="teller.media")
        # During a SECRET_KEY rotation, tokens signed just before it still fetch (minutes).
        self._signers = [self.signer] + (
            [Signer(previous_secret_key, salt="teller.media")] if previous_secret_key else []
        )
        self.ttl = ttl
        self.clock = clock

    def put(self, pdf: bytes, filename: str, pipeline: Pipeline | None = None) -> str:
        """Keep the document for the TTL; returns its token. Given a pipeline (of a client
        with bytes replies), the writes join it and go when the caller executes it."""
        if len(pdf) > MAX_BYTES:
            raise MediaTooLarge(len(pdf))
        media_id = secrets.token_urlsafe(16)
        expires = int((self.clock() + self.ttl).timestamp())
        key = MEDIA_KEY.format(media_id=media_id)
        pipe = pipeline if pipeline is not None else self.raw.pipeline(transaction=True)
        pipe.hset(key, mapping={"pdf": pdf, "name": filename})
        pipe.expire(key, int(self.ttl.total_seconds()))
        if pipeline is None:
            pipe.execute()
        return self.signer.sign(f"{media_id}.{expires}").decode()

    def _key(self, token: str) -> str | None:
        """The Redis key a token names; None when it is tampered with or expired."""
        value = self._unsigned(token)
        if value is None:
            return None
        media_id, _, expires = value.rpartition(".")
        if not media_id or not expires.isdecimal() or int(expires) <= self.clock().timestamp():
            return None
        return MEDIA_KEY.format(media_id=media_id)

    def _unsigned(self, token: str) -> str | None:
        """The signed value, if one of our keys signed exactly this token."""
        for signer in self._signers:
            try:
                value = signer.unsign(token).decode()
            except (BadSignature, UnicodeError):
                continue
            # Base64 leaves spare bits in the signature's last character: several spellings
            # decode to the same bytes. Only the one we issued is accepted.
            if hmac.compare_digest(signer.sign(value).decode(), token):
                return value
        return None

    def get(self, token: str) -> MediaFile | None:
        """The document, or None when the token is tampered with, expired or unknown.
        Fails closed: anything unparseable is None."""
        key = self._key(token)
        if key is None:
            return None
        found: list[bytes | None] = self.raw.hmget(key, ["pdf", "name"])  # type: ignore[assignment]
        pdf, name = found
        if pdf is None or name is None:
            return None
        return MediaFile(pdf, name.decode())

    def alive(self, token: str, margin: timedelta = timedelta(seconds=10)) -> bool:
        """Whether Twilio could still fetch this document a little while from now (a retry
        reuses it, and its password, only then)."""
        key = self._key(token)
        if key is None:
            return False
        ttl_ms = int(self.raw.pttl(key))
        return ttl_ms > margin.total_seconds() * 1000


def media_url(base_url: str, token: str, filename: str) -> str:
    """The file name goes last in the path: WhatsApp shows the URL's last segment as the
    document's name, and Twilio offers no other way to set it."""
    return f"{base_url}/media/{token}/{filename}"
