"""The Messenger port: the channels a message can take, the send call, and its one error."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol


class Channel(StrEnum):
    """Where a message goes: the customer's WhatsApp chat, an SMS, or an email."""

    WHATSAPP = "whatsapp"
    SMS = "sms"
    EMAIL = "email"


class MessengerError(Exception):
    """A message could not be handed over; ``retryable`` says whether trying again may help, and
    ``retry_after_s`` how long the service asked to wait first, when it said (a 429's or 503's
    ``Retry-After``)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after_s: float | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.code = code  # the provider's error code when it gave one (Twilio's 63016: window)


class Messenger(Protocol):
    """Sends one message. A message is a channel, a destination (+E164, or an email address for
    ``Channel.EMAIL``), a body, optional media URLs (WhatsApp) and an optional subject (email)."""

    def send(
        self,
        channel: Channel,
        to: str,
        body: str,
        media_urls: Sequence[str] = (),
        subject: str | None = None,
    ) -> str:
        """Send one message; returns its id. Raises MessengerError when it was not handed over."""
        ...
