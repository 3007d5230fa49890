"""The outbound-message port, at the bottom of Teller's layers.

What the bank sends on its own initiative (codes by SMS, documents as WhatsApp media, notices,
emails) goes through a ``Messenger``; what goes to a customer's WhatsApp goes as a ``Notice``
through the ``Notifier`` (``messaging.proactive``: the 24-hour window decides the path). This
package says what a message is and how sending fails; it imports no other Teller package, so
``auth``, ``workers`` and ``bot`` can all depend on it.
``messaging.masking`` is the one masking module: how numbers and addresses may appear in any
message, receipt or log line (SECURITY.md 19).
The adapters (Twilio, SMTP, the dev outbox) live at the edge, in ``bot.messenger``, and are
wired in ``app.services``.
"""

from messaging.port import Channel, Messenger, MessengerError
from messaging.proactive import LastInbound, Notice, Notifier, Path, Sent

__all__ = [
    "Channel",
    "LastInbound",
    "Messenger",
    "MessengerError",
    "Notice",
    "Notifier",
    "Path",
    "Sent",
]
