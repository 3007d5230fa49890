"""The WhatsApp customer-service window: when each customer last wrote to the bank.

WhatsApp lets a business send free-form messages only within 24 hours of the customer's last
message; after that only an approved template goes through (Twilio error 63016). The webhook
records every inbound message's time in ``LAST_INBOUND_KEY`` (a ``SET`` inside the round trip
that claims the message, ``bot.store.EdgeStore.begin``: no extra round trip) and
``bot.outbound`` reads it here before each proactive message.

The time is Teller's clock (the one every process injects, and tests freeze), not Redis's: the
decision compares it with the same clock. Teller reads a message a little after WhatsApp stamped
it (Twilio's delivery, a retried webhook, clocks of several hosts), so the window is taken to
close ``MARGIN`` early: a notice near the edge goes as a template rather than failing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

# str: the POSIX time (seconds, 3 decimals) of the customer's last inbound WhatsApp message, on
# Teller's clock; it outlives the window by a day so "outside, last message 30 h ago" can be told.
LAST_INBOUND_KEY = "teller:{{{msisdn}}}:inbound_at"
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
MARGIN = timedelta(minutes=5)  # closed this much early: see the module's docstring
KEEP_S = int((WINDOW + timedelta(hours=24)).total_seconds())


def is_open(last: datetime | None, now: datetime) -> bool:
    """Whether a free-form message sent at ``now`` is inside the window of a message at
    ``last``. Fails closed: no message on record is outside."""
    return last is not None and now < last + WINDOW - MARGIN


def why(last: datetime | None, now: datetime) -> str:
    """The decision in words, for the log: whether inside, and how long ago they wrote."""
    if last is None:
        return "outside the window: no message from them on record"
    minutes = max(0, int((now - last).total_seconds() // 60))
    ago = f"{minutes // 60} h {minutes % 60:02d} min ago"
    side = "inside" if is_open(last, now) else "outside"
    return f"{side} the window: last message {ago}"


class Window:
    """Each customer's last inbound message time (keys hash-tagged per customer).

    ``key`` and ``parse`` are for a caller that reads the time inside a round trip of its own
    (a document's job, with its lease) and hands it to the notifier (``LastInbound``)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def key(msisdn: str) -> str:
        return LAST_INBOUND_KEY.format(msisdn=msisdn)

    @staticmethod
    def parse(stored: object) -> datetime | None:
        """The time a stored value gives (str or bytes); None for no value."""
        if stored is None:
            return None
        if isinstance(stored, bytes):
            stored = stored.decode()
        return datetime.fromtimestamp(float(str(stored)), UTC)

    def seen(self, msisdn: str, at: datetime) -> None:
        """The customer wrote at ``at``: the window is open for 24 hours from then. (The
        webhook writes the same key in its own script; this is for the rest.)"""
        self.redis.set(LAST_INBOUND_KEY.format(msisdn=msisdn), f"{at.timestamp():.3f}", ex=KEEP_S)

    def last(self, msisdn: str) -> datetime | None:
        return self.parse(self.redis.get(self.key(msisdn)))

    def close(self, msisdn: str) -> None:
        """WhatsApp said the window is closed (63016): believe it until they write again."""
        self.redis.delete(LAST_INBOUND_KEY.format(msisdn=msisdn))
