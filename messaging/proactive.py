"""The one outbound path for what the bank sends to a customer's WhatsApp on its own initiative.

A proactive message is anything Teller sends that is not the TwiML reply to an inbound message:
a claim or refund notice, a KYC outcome, a document, a "we couldn't deliver" notice, the replies
pushed after a secure page. WhatsApp takes free-form text only within 24 hours of the customer's
last message; outside that window only an approved template goes through (Twilio error 63016
otherwise). So these messages are never sent with ``Messenger.send(Channel.WHATSAPP, …)``
directly: they are a ``Notice`` handed to a ``Notifier``, which decides the path (the session,
the notice's approved template, or an SMS to the registered number) and says which it took.

A notice is named by its key in ``messaging.notices`` and carries the values of that notice's
fields: the free-form text, the template's variables and the SMS are all made from those same
values, so the three can't disagree. ``session_text`` replaces the notice's text inside the
window only, for what is richer there (a document's caption with its PDF, the chat's replies);
outside it, the notice itself stands in for it. The adapter is ``bot.outbound``.

The window is read when the notice is sent, unless the caller read it already in a round trip it
had to make anyway (a document's job reads it with its lease, before rendering) and passes it as
``LastInbound``: the decision is the same, one round trip sooner. The window closes a few
minutes early (``bot.window.MARGIN``), which covers the time between that read and the send.
Likewise the message's record (what its status callback reads) is written in its own round trip
after the send, unless the caller has one to make next anyway (a document's job marks the
document sent) and hands its pipeline over as ``record_on``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from redis.client import Pipeline


class Path(StrEnum):
    """How a proactive message went."""

    SESSION = "session"  # free-form WhatsApp, inside the customer-service window
    TEMPLATE = "template"  # the notice's approved WhatsApp template (Content API)
    SMS = "sms"  # an SMS to the registered number: no approved template for it


@dataclass(frozen=True)
class Notice:
    """One proactive message to one customer (``to``: +E164)."""

    key: str  # its notice in ``messaging.notices.NOTICES``
    to: str
    params: Mapping[str, object] = field(default_factory=dict)  # the notice's field values
    language: str = "en"
    session_text: str | None = None  # the free-form text when it isn't the notice's own
    media_urls: Sequence[str] = ()  # sent only inside the window (a template carries none)


@dataclass(frozen=True)
class Sent:
    """What the path did: the message id, the path and why that one."""

    sid: str
    path: Path
    reason: str


@dataclass(frozen=True)
class LastInbound:
    """When the notice's customer last wrote (None: no message on record), as the caller read
    it just before: the notifier decides on it instead of reading the window again."""

    at: datetime | None


class Notifier(Protocol):
    """Sends a notice by the path the customer's window allows."""

    def notify(
        self,
        notice: Notice,
        last_inbound: LastInbound | None = None,
        record_on: Pipeline | None = None,
    ) -> Sent:
        """Send one notice; raises ``MessengerError`` when no path could hand it over. Without
        ``last_inbound`` the notifier reads the customer's window itself. With ``record_on`` (a
        pipeline of the notifier's own Redis, which the caller executes next, whatever the path)
        the message's record is added to it instead of being written at once."""
        ...
