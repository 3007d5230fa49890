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
    """A message could not be handed over; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
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
