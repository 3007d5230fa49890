"""The Messenger adapters: Twilio (WhatsApp + SMS, email by SMTP) and the dev outbox.

Replies to an inbound message travel back as TwiML; everything else the bank sends on its own
initiative goes through the ``messaging.Messenger`` port, implemented here (and, for a customer's
WhatsApp, through ``bot.outbound`` first: it picks the session, a template or SMS). Each
adapter also sends a content template (``send_content``: a Content SID and its variables).
The outbox adapter keeps messages in Redis for ``GET /dev/outbox`` and the chat simulator, with
the path each took. ``app.services`` builds them.
"""

from __future__ import annotations

import json
import secrets
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from redis import Redis
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from bot.content.definitions import expand, registry
from bot.content.store import ContentStore
from messaging import Channel, MessengerError

OUTBOX_KEY = "teller:outbox"  # list of JSON messages, newest first
OUTBOX_MAX = 2000  # a dev inbox, not an archive: keep the last 2000 messages


@dataclass(frozen=True)
class SmtpMailer:
    """Sends email through the server named by ``SMTP_URL`` (smtp[s]://user:pass@host:port?from=)."""

    url: str
    timeout: float = 10.0

    def send(self, to: str, subject: str, body: str) -> str:
        parsed = urlparse(self.url)
        host = parsed.hostname or "localhost"
        sender = parse_qs(parsed.query).get("from", [f"no-reply@{host}"])[0]
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, to, subject
        message.set_content(body)
        smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
        try:
            with smtp_class(host, parsed.port or 0, timeout=self.timeout) as smtp:
                if parsed.username:
                    smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MessengerError(f"email not sent: {type(exc).__name__}", retryable=True) from exc
        return f"EM{secrets.token_hex(16)}"


class TwilioMessenger:
    """WhatsApp and SMS through Twilio's REST API; email through SMTP when configured."""

    def __init__(
        self,
        client: Client,
        whatsapp_from: str,
        sms_from: str | None,
        status_callback: str | None,
        mailer: SmtpMailer | None = None,
        retry_after: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.client = client
        self.retry_after = retry_after  # bot.twilio_http.RetryAfterHttp.retry_after
        self.whatsapp_from = whatsapp_from
        self.sms_from = sms_from
        self.status_callback = status_callback
        self.mailer = mailer

    def send(
        self,
        channel: Channel,
        to: str,
        body: str,
        media_urls: Sequence[str] = (),
        subject: str | None = None,
    ) -> str:
        if channel is Channel.EMAIL:
            if self.mailer is None:
                raise MessengerError("email is not configured (set SMTP_URL)", retryable=False)
            return self.mailer.send(to, subject or "Message from your bank", body)
        params: dict[str, Any] = {"to": to, "body": body}
        if channel is Channel.WHATSAPP:
            params.update(from_=self.whatsapp_from, to=f"whatsapp:{to}")
            if media_urls:
                params["media_url"] = list(media_urls)
        elif self.sms_from is None:
            raise MessengerError("SMS is not configured (set TWILIO_SMS_FROM)", retryable=False)
        elif self.sms_from.startswith("MG"):
            params["messaging_service_sid"] = self.sms_from
        else:
            params["from_"] = self.sms_from
        return self._create(params)

    def send_content(
        self, to: str, content_sid: str, variables: Mapping[str, str], fallback: str
    ) -> str:
        """A content template on WhatsApp (a button or list reply, or a notice's approved
        template outside the window): no Body, the ContentSid and its ContentVariables instead
        (Twilio's "send templates" guide)."""
        params: dict[str, Any] = {
            "from_": self.whatsapp_from,
            "to": f"whatsapp:{to}",
            "content_sid": content_sid,
            "content_variables": json.dumps(dict(variables)),
        }
        return self._create(params)

    def _create(self, params: dict[str, Any]) -> str:
        if self.status_callback:
            params["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            # 429 and 5xx are Twilio's to recover from; 4xx means the request itself is wrong.
            retryable = exc.status == 429 or exc.status >= 500
            raise MessengerError(
                f"Twilio refused the message ({exc.code})",
                retryable=retryable,
                retry_after_s=self.retry_after() if retryable else None,
                code=exc.code if isinstance(exc.code, int) else None,
            ) from exc
        except (TwilioException, RequestException, OSError) as exc:
            # Twilio's HTTP client is requests: a refused or reset connection or a timeout
            # raises requests' own errors (RequestException covers ConnectionError and
            # Timeout), not Twilio's. Only the class is named: their text holds the URL.
            raise MessengerError(
                f"Twilio could not be reached ({type(exc).__name__})", retryable=True
            ) from exc
        return str(message.sid)


class OutboxMessenger:
    """Development messenger: every message lands in a Redis list instead of leaving the machine."""

    def __init__(self, redis: Redis, clock: Callable[[], datetime]) -> None:
        self.redis = redis
        self.clock = clock

    def send(
        self,
        channel: Channel,
        to: str,
        body: str,
        media_urls: Sequence[str] = (),
        subject: str | None = None,
    ) -> str:
        record = {
            "channel": channel.value,
            "to": to,
            "body": body if subject is None else f"{subject}\n\n{body}",
            "media_urls": list(media_urls),
        }
        if channel is not Channel.EMAIL:  # free-form WhatsApp is the session's; SMS is SMS
            record["path"] = "session" if channel is Channel.WHATSAPP else "sms"
        return self._keep(record)

    def send_content(
        self, to: str, content_sid: str, variables: Mapping[str, str], fallback: str
    ) -> str:
        """Keep a content template as the customer would see it: ``body`` is its text and
        ``content`` the template's types with the variables filled in, as Twilio renders them
        (for the simulator's buttons and lists). ``path`` says which way it went: a template
        submitted for approval is the outside-the-window path, a session-only one (buttons and
        lists) is part of the session."""
        name = ContentStore(self.redis).name_of(content_sid)
        definition = next((d for d in registry() if d.friendly_name == name), None)
        if definition is None:
            raise MessengerError(f"no synced content template {content_sid}", retryable=False)
        record = {
            "channel": Channel.WHATSAPP.value,
            "to": to,
            "body": fallback,
            "media_urls": [],
            "path": "template" if definition.needs_approval else "session",
            "content_sid": content_sid,
            "content_variables": dict(variables),
            "content": {"name": name, "types": expand(definition.types, variables)},
        }
        return self._keep(record)

    def _keep(self, fields: dict[str, Any]) -> str:
        record = {
            "id": f"OB{secrets.token_hex(16)}",
            **fields,
            "created_at": self.clock().isoformat(),
        }
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(OUTBOX_KEY, json.dumps(record))
        pipe.ltrim(OUTBOX_KEY, 0, OUTBOX_MAX - 1)
        pipe.execute()
        return str(record["id"])

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages oldest first, optionally only those to one number or address."""
        raw: list[str] = self.redis.lrange(OUTBOX_KEY, 0, -1)  # type: ignore[assignment]
        found = [json.loads(item) for item in reversed(raw)]
        return [m for m in found if to is None or m["to"] == to]
