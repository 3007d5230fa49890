"""Twilio's webhooks: ``POST /whatsapp/inbound`` and ``POST /whatsapp/status``.

Views only parse, call and render. A bad signature is 403 before anything is read; Redis being
down becomes a polite "try again shortly" (still 200, so Twilio does not hammer us), written in
the customer's language as far as it is known (``Unfinished``: the one the claim read, or, when
Redis didn't answer the claim, the one this process last read, ``bot.recent_languages``); no
traceback ever reaches a customer.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request
from redis.exceptions import RedisError

from bank.ports import BankUnavailable
from bot import signature
from bot.dispatch import Dispatcher, Unfinished
from bot.inbound import InboundMessage, InvalidInbound, parse
from bot.wiring import services
from messaging import logs, metrics
from messaging.languages import SOURCE
from messaging.masking import mask_phone
from workers.jobs import on_message_status

log = logging.getLogger("teller.webhook")
bp = Blueprint("whatsapp", __name__)

STATUSES = frozenset(
    [
        "accepted",
        "scheduled",
        "canceled",
        "queued",
        "sending",
        "sent",
        "failed",
        "delivered",
        "undelivered",
        "receiving",
        "received",
        "read",
        "partially_delivered",
    ]
)
_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")


def _xml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/xml")


def _signed() -> bool:
    graph = services()
    return signature.is_valid(graph.validator, graph.config.public_base_url, request)


@bp.post("/whatsapp/inbound")
def inbound() -> Response:
    with metrics.webhook_seconds("inbound").time():
        return _inbound()


def _inbound() -> Response:
    if not _signed():
        log.warning("inbound: bad or missing Twilio signature from %s", request.remote_addr)
        metrics.message("unknown", "bad_signature")
        return Response("invalid signature\n", status=403, mimetype="text/plain")
    try:
        message = parse(request.form)
    except InvalidInbound as exc:
        log.warning("inbound: malformed field %s", exc.field)
        metrics.message("unknown", "malformed")
        return Response(f"bad request: {exc}\n", status=400, mimetype="text/plain")
    logs.bind(customer=mask_phone(message.msisdn))  # every line of this request names them
    dispatcher: Dispatcher = services().dispatcher
    try:
        return _xml(dispatcher.handle(message))
    except Unfinished as exc:  # the customer's language as far as it is known
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        return _xml(_failed(cause, message, dispatcher, exc.language))
    except Exception as exc:  # outside the message's handling: no language to go by
        return _xml(_failed(exc, message, dispatcher, SOURCE))


def _failed(exc: Exception, message: InboundMessage, dispatcher: Dispatcher, language: str) -> str:
    """The apology for a message that changed nothing, in ``language``; logged and counted."""
    if isinstance(exc, RedisError):
        log.error("inbound %s: Redis unavailable (%s)", message.sid, type(exc).__name__)
        metrics.message("unknown", "redis_error")
        metrics.dependency_error(exc, "webhook")
        return dispatcher.text_reply("error.try_again", language)
    if isinstance(exc, BankUnavailable):  # nothing was written: the customer just tries again
        log.error("inbound %s: the bank is unavailable (%s)", message.sid, exc)
        metrics.message("unknown", "bank_error")
        metrics.dependency_failed("bank", "webhook")
        return dispatcher.text_reply("error.try_again", language)
    log.error(
        "inbound %s from %s: unexpected error",
        message.sid,
        mask_phone(message.msisdn),
        exc_info=exc,
    )
    kind = "bank_error" if metrics.dependency_error(exc, "webhook") else "error"
    metrics.message("unknown", kind)
    return dispatcher.text_reply("error.unexpected", language)


@bp.post("/whatsapp/status")
def status() -> Response:
    """Delivery status callbacks: recorded once per (MessageSid, MessageStatus)."""
    with metrics.webhook_seconds("status").time():
        return _status()


def _status() -> Response:
    if not _signed():
        return Response("invalid signature\n", status=403, mimetype="text/plain")
    sid = request.form.get("MessageSid", "")
    state = request.form.get("MessageStatus", "")
    error_code = request.form.get("ErrorCode", "")
    if (
        not _SID.fullmatch(sid)
        or state not in STATUSES
        or (not error_code.isdigit() and error_code)
    ):
        return Response("bad request: MessageSid, MessageStatus or ErrorCode\n", status=400)
    graph = services()
    try:
        fresh = graph.edge.record_status(sid, state, error_code, graph.clock().isoformat())
    except RedisError as exc:
        # 503 makes Twilio retry the callback later, so no status is lost.
        metrics.dependency_error(exc, "status")
        return Response("temporarily unavailable\n", status=503)
    if not fresh:
        return Response(status=204)
    if state in ("failed", "undelivered"):
        log.warning("delivery %s %s (error %s)", sid, state, error_code or "none")
    try:
        # A proactive message's outcome; a free-form one refused by the window falls back.
        graph.outbound.on_status(sid, state, error_code)
        if state in ("failed", "undelivered"):  # a document that didn't arrive: told, retry
            on_message_status(graph.redis, graph.rq_redis, sid, state)
    except RedisError as exc:
        metrics.dependency_error(exc, "status")
        return Response("temporarily unavailable\n", status=503)
    return Response(status=204)
