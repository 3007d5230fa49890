"""The language each number is written to in: the chat, its SMS and email, the secure pages,
receipts and statements.

Kept in Redis under the number's hash tag rather than in the bank's customer record: it is a
preference of this channel, not a banking fact, and a number the bank doesn't know yet (someone
opening a wallet, or claiming money) can choose it too. It has no TTL: a choice lasts until the
customer makes another. No key, or a language without a catalog: English.
"""

from __future__ import annotations

from redis import Redis

from messaging.languages import SOURCE, catalogs

LANGUAGE_KEY = "teller:{{{msisdn}}}:language"  # str: a language code with a catalog; no TTL


class LanguageStore:
    """Reads and keeps a number's language. Redis errors propagate (the edge answers them)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def get(self, msisdn: str) -> str:
        return language_of(self.redis.get(LANGUAGE_KEY.format(msisdn=msisdn)))

    def set(self, msisdn: str, language: str) -> None:
        """Keep ``language`` (one with a catalog: anything else is a bug, ValueError)."""
        if language not in catalogs().languages:
            raise ValueError(f"no catalog for the language {language!r}")
        self.redis.set(LANGUAGE_KEY.format(msisdn=msisdn), language)


def language_of(stored: object) -> str:
    """A stored value as a language with a catalog; English for none or an unknown one (a
    catalog removed since). For readers that fetch the key in their own round trip."""
    if isinstance(stored, bytes):
        stored = stored.decode()
    if isinstance(stored, str) and stored in catalogs().languages:
        return stored
    return SOURCE
