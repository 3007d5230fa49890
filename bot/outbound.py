"""The one outbound path for proactive WhatsApp messages (``messaging.proactive``'s adapter).

For each notice: inside the customer-service window (``bot.window``) it goes free-form; outside,
as the notice's approved template in the customer's language (``bot.content``: a Content SID and
its variables), else as its approved English template (a language without the notice, or whose
template WhatsApp hasn't approved yet); with neither, as an SMS to the registered number, in
the customer's language. The decision and its reason are logged (masked number, notice, path,
reason: each template passed over and why) and kept with the message id, so Twilio's status
callback finds it: a free-form message that fails with 63016 (WhatsApp says the window is
closed, whatever Teller's record says) closes the window and falls back, in the same order,
once; every status the callback brings is recorded as the outcome.

Nothing else in Teller sends to a customer's WhatsApp but the webhook's own replies to the
message it is answering (TwiML, and ``bot.content.replies``' buttons and lists); a test reads
the source to keep it so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from redis import Redis
from redis.client import Pipeline

from bot import window as windows
from bot.content.store import ContentStore, Stored
from bot.notice_templates import friendly_name
from messaging import Channel, Messenger, MessengerError, Notice, Path, Sent
from messaging.languages import SOURCE
from messaging.masking import mask_phone
from messaging.notices import WHATSAPP_NOTICES, render_notice, template_variables
from messaging.proactive import LastInbound

log = logging.getLogger("teller.outbound")

WINDOW_CLOSED = 63016  # Twilio: outside the messaging window; use a template
FAILED = frozenset({"failed", "undelivered"})
# Statuses worth a log line: where a message ended (the others are only recorded).
FINAL = FAILED | {"delivered", "read", "canceled"}
# Notices whose failure their sender reports itself: a document's PDF that fails is told by its
# job (``workers.jobs.report_undelivered``, through this path again), so no fallback here.
SELF_REPORTING = frozenset({"document_ready"})

# hash per proactive message: key (notice), to (+E164), language, path, reason, text (the
# notice as SMS text: masked values only, never a chat reply), variables (JSON: the template
# variables by template language, {"fr": {"1": …}, "en": {…}}; a record written before
# templates had languages holds English's alone, {"1": …}), status, error_code, outcome,
# fallback (the fallback's message id, once); TTL OUTBOUND_TTL_S.
OUTBOUND_KEY = "teller:outbound:{sid}"
OUTBOUND_TTL_S = 7 * 24 * 3600  # as long as delivery statuses are kept (bot.store)


class TemplateMessenger(Messenger, Protocol):
    """A messenger that can also send an approved WhatsApp template."""

    def send_content(
        self, to: str, content_sid: str, variables: Mapping[str, str], fallback: str
    ) -> str:
        """Send template ``content_sid`` with ``variables`` to ``to``'s WhatsApp; ``fallback``
        is the text it shows (the dev outbox keeps it; Twilio renders its own)."""
        ...


@dataclass(frozen=True)
class _Fallback:
    """What a notice becomes outside the window (kept with the message for a 63016)."""

    key: str
    to: str
    language: str
    text: str
    variables: dict[str, dict[str, str]]  # by template language: the customer's, and English


@dataclass(frozen=True)
class ProactiveSender:
    """The ``Notifier``: sends each notice by the path its customer's window allows."""

    messenger: TemplateMessenger
    window: windows.Window
    content: ContentStore
    redis: Redis
    clock: Callable[[], datetime]
    zone: tzinfo | None = None  # the bank's clock, for a notice's times

    @classmethod
    def build(
        cls, messenger: TemplateMessenger, redis: Redis, clock: Callable[[], datetime], zone: tzinfo
    ) -> ProactiveSender:
        """Over one Redis (str replies): the window, the template SIDs, the message records."""
        return cls(messenger, windows.Window(redis), ContentStore(redis), redis, clock, zone)

    def notify(
        self,
        notice: Notice,
        last_inbound: LastInbound | None = None,
        record_on: Pipeline | None = None,
    ) -> Sent:
        if notice.key not in WHATSAPP_NOTICES:  # a notice with no template: a bug, not an SMS
            raise KeyError(notice.key)
        fallback = self._fallback(notice)
        last = self.window.last(notice.to) if last_inbound is None else last_inbound.at
        now = self.clock()
        reason = windows.why(last, now)
        if windows.is_open(last, now):
            text = notice.session_text if notice.session_text is not None else fallback.text
            try:
                sid = self._session(notice.to, text, notice.media_urls)
            except MessengerError as exc:
                if exc.code != WINDOW_CLOSED:
                    raise
                self.window.close(notice.to)
                reason = f"{reason}, but Twilio answered {WINDOW_CLOSED} (window closed)"
            else:
                return self._sent(fallback, sid, Path.SESSION, reason, record_on)
        return self._outside(fallback, reason, record_on)

    def on_status(self, sid: str, status: str, error_code: str) -> None:
        """A delivery status for one of this path's messages (others are ignored): recorded;
        a free-form message refused with 63016 falls back once. Never raises a send's error:
        a failed fallback is recorded and logged."""
        key = OUTBOUND_KEY.format(sid=sid)
        record: dict[str, str] = self.redis.hgetall(key)  # type: ignore[assignment]
        if not record:
            return
        self.redis.hset(key, mapping={"status": status, "error_code": error_code})
        closed = status in FAILED and error_code == str(WINDOW_CLOSED)
        if not closed or record.get("path") != Path.SESSION:
            outcome = status if not error_code else f"{status} (error {error_code})"
            self._outcome(key, record, sid, outcome, logged=status in FINAL)
            return
        self.window.close(record["to"])
        if record["key"] in SELF_REPORTING:
            self._outcome(key, record, sid, "63016: window closed; its sender reports it")
            return
        if not self.redis.hsetnx(key, "fallback", "pending"):
            return  # "failed" and "undelivered" both came: fall back once
        fallback = _Fallback(
            record["key"],
            record["to"],
            record.get("language", SOURCE),
            record["text"],
            _by_language(json.loads(record["variables"])),
        )
        try:
            sent = self._outside(fallback, f"63016 on free-form message {sid}")
        except MessengerError as exc:
            self._outcome(key, record, sid, f"63016; fallback not sent ({exc})")
            return
        self.redis.hset(key, "fallback", sent.sid)
        self._outcome(key, record, sid, f"63016; fell back to {sent.path} as {sent.sid}")

    def outcome(self, sid: str) -> dict[str, str]:
        """What is known of one proactive message (empty: not one of this path's)."""
        found: dict[str, str] = self.redis.hgetall(OUTBOUND_KEY.format(sid=sid))  # type: ignore[assignment]
        return found

    # ----------------------------------------------------------------------------------------
    def _fallback(self, notice: Notice) -> _Fallback:
        params = dict(notice.params)
        return _Fallback(
            key=notice.key,
            to=notice.to,
            language=notice.language,
            text=render_notice(notice.key, zone=self.zone, language=notice.language, **params),
            variables={
                language: template_variables(
                    notice.key, zone=self.zone, language=language, **params
                )
                for language in dict.fromkeys((notice.language, SOURCE))
            },
        )

    def _session(self, to: str, text: str, media_urls: Sequence[str]) -> str:
        # The raw free-form send: this is the one place it is called for a customer's WhatsApp.
        return self.messenger.send(Channel.WHATSAPP, to, text, media_urls=media_urls)

    def _outside(self, fallback: _Fallback, reason: str, record_on: Pipeline | None = None) -> Sent:
        """The template in the customer's language, else English's, else the SMS; the reason
        names each template passed over and why."""
        stored = self.content.all()  # read afresh: a sync shows at the next notice
        passed: list[str] = []
        for language in dict.fromkeys((fallback.language, SOURCE)):
            name = friendly_name(fallback.key, language)
            content_sid, state = _approved(stored, name)
            variables = fallback.variables.get(language)
            if content_sid is None or variables is None:  # (none kept: an older record)
                passed.append(f"{name} {state if content_sid is None else 'without variables'}")
                continue
            sid = self.messenger.send_content(fallback.to, content_sid, variables, fallback.text)
            over = "".join(f" (over {p})" for p in passed)
            why = f"{reason}; template {name}{over}"
            return self._sent(fallback, sid, Path.TEMPLATE, why, record_on)
        sid = self.messenger.send(Channel.SMS, fallback.to, fallback.text)
        why = f"{reason}; template {', '.join(passed)}"
        return self._sent(fallback, sid, Path.SMS, why, record_on)

    def _sent(
        self,
        fallback: _Fallback,
        sid: str,
        path: Path,
        reason: str,
        record_on: Pipeline | None = None,
    ) -> Sent:
        key = OUTBOUND_KEY.format(sid=sid)
        # The record and its TTL in one transaction, or in the caller's pipeline, which it
        # executes next (one round trip less; the record is then written just after the
        # caller's own work with the message, in the same trip).
        pipe = self.redis.pipeline(transaction=True) if record_on is None else record_on
        pipe.hset(
            key,
            mapping={
                "key": fallback.key,
                "to": fallback.to,
                "language": fallback.language,
                "path": path.value,
                "reason": reason,
                "text": fallback.text,
                "variables": json.dumps(fallback.variables, ensure_ascii=False),
            },
        )
        pipe.expire(key, OUTBOUND_TTL_S)
        if record_on is None:
            pipe.execute()
        log.info(
            "proactive %s to %s: %s as %s (%s)",
            fallback.key,
            mask_phone(fallback.to),
            path.value,
            sid,
            reason,
        )
        return Sent(sid, path, reason)

    def _outcome(
        self, key: str, record: dict[str, str], sid: str, outcome: str, logged: bool = True
    ) -> None:
        self.redis.hset(key, "outcome", outcome)
        if not logged:
            return
        log.info(
            "proactive %s to %s as %s (%s): %s",
            record.get("key", "?"),
            mask_phone(record.get("to", "")),
            sid,
            record.get("path", "?"),
            outcome,
        )


def _approved(stored: Mapping[str, Stored], name: str) -> tuple[str | None, str]:
    """(the template's SID if WhatsApp approved it, else None; its state, for the log). Only an
    approved template goes outside the window: pending, rejected, unsubmitted or not synced
    (and a paused or disabled one, stored as rejected) is passed over."""
    found = stored.get(name)
    if found is None:
        return None, "not synced"
    return (found.sid if found.approval == "approved" else None), found.approval


def _by_language(raw: object) -> dict[str, dict[str, str]]:
    """A record's ``variables``: by template language, or (written before templates had
    languages) English's alone."""
    if not isinstance(raw, dict):
        return {}
    if all(isinstance(v, str) for v in raw.values()):
        return {SOURCE: {str(k): v for k, v in raw.items()}}
    return {
        str(language): {str(k): str(v) for k, v in values.items()}
        for language, values in raw.items()
        if isinstance(values, dict)
    }
