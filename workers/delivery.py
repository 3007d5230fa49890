"""Delivering one protected document, once: render, encrypt, keep it for Twilio, send the
password by SMS, send the PDF as WhatsApp media — safe to run twice, or after a crash.

Each document has a record in Redis (``DOC_KEY``) that says how far it got: its stored media,
whether its password has gone out, the WhatsApp message it went in. A run reads it first and
skips what is done, so a job that runs twice sends once. A lease held by the RQ job's id keeps
two runs of *different* jobs for one document apart, while a retry of the same job (the previous
run died: ``kill -9``) takes its own lease over at once. A PDF is reused, with its password, only
if that password has reached the customer; otherwise it is rendered again with a new one. The one
window left is a crash after Twilio accepted the media and before its id is recorded: the retry
sends it again (at least once beats never for a receipt). The password is never logged, stored in
Redis, nor put in a job's arguments or in the chat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis

from auth.stores.languages import LanguageStore
from flows.responses import template
from messaging import Channel
from messaging.languages import speaking, text
from messaging.masking import mask_phone
from receipts.protect import dob_password, protect, random_password
from workers.context import JobContext
from workers.media import media_url

log = logging.getLogger("teller.documents")

# hash: media (token of the stored PDF), sms ("1": its password went out), sid (WhatsApp
# message id once sent); TTL DOC_TTL_S, so a retry within a week still sees it was sent.
DOC_KEY = "teller:doc:{doc}"
DOC_TTL_S = 8 * 24 * 3600
LEASE_KEY = "teller:doc:{doc}:lease"  # str: the owner (an RQ job id); TTL LEASE_S
LEASE_S = 180  # longer than the slowest job's timeout (statements: 120 s)
MESSAGE_KEY = "teller:docmsg:{sid}"  # str: the document a WhatsApp message carried; TTL DOC_TTL_S

_TAKE_LEASE = """
local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
_DROP_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class DocumentBusy(Exception):
    """Another job holds this document's lease: it is being delivered right now."""

    def __init__(self, doc: str) -> None:
        super().__init__(f"document {doc} is being delivered by another job")
        self.doc = doc


@dataclass(frozen=True)
class Outgoing:
    """One document to deliver: who gets it, what it is called, and how to render it."""

    doc: str  # its identity for idempotency: "receipt:123", "statement:ST7K2M9Q"
    what: str  # how the customer calls it: "receipt", "statement"
    reference: str
    msisdn: str
    customer_id: str
    filename: str
    title: str
    render: Callable[[], bytes]  # the unprotected PDF


def chat_text(ctx: JobContext, key: str, msisdn: str, **params: str) -> str:
    """A reply of the chat's catalog for a document, in the language of ``msisdn``; ``what``
    (``receipt``, ``statement``) is named in it too."""
    with speaking(LanguageStore(ctx.redis).get(msisdn)):
        if "what" in params:
            params["what"] = text(f"document.{params['what']}", params["what"])
        return template(key).format(bank=ctx.bank_name, **params)


def _password(ctx: JobContext, out: Outgoing) -> tuple[str, bool]:
    """(password, whether it must go by SMS). The date-of-birth option needs no SMS."""
    if ctx.unlock == "dob":
        dob = ctx.bank.date_of_birth(out.customer_id)
        if dob is not None:
            return dob_password(dob), False
        log.warning("document %s: no date of birth on file; using a random password", out.doc)
    return random_password(), True


def _prepare(ctx: JobContext, out: Outgoing, key: str) -> str:
    """Render and protect the document, keep it for Twilio, and send its password."""
    password, by_sms = _password(ctx, out)
    pdf = protect(out.render(), password, title=out.title, author=ctx.bank_name)
    token = ctx.media.put(pdf, out.filename)
    pipe = ctx.redis.pipeline(transaction=True)
    pipe.hset(key, "media", token)
    pipe.hdel(key, "sms")
    pipe.expire(key, DOC_TTL_S)
    pipe.execute()
    if by_sms:
        params = {"what": out.what, "reference": out.reference, "password": password}
        sms = chat_text(ctx, "document.password_sms", out.msisdn, **params)
        ctx.messenger.send(Channel.SMS, out.msisdn, sms)
    ctx.redis.hset(key, "sms", "1")
    return token


def deliver(ctx: JobContext, out: Outgoing, owner: str) -> str:
    """Deliver ``out`` unless it already went; returns what happened. Raises DocumentBusy when
    another job is delivering it, and the messenger's errors when a send fails (the caller's
    job retries)."""
    key = DOC_KEY.format(doc=out.doc)
    state: dict[str, str] = ctx.redis.hgetall(key)  # type: ignore[assignment]
    if state.get("sid"):
        return "already sent"
    lease = LEASE_KEY.format(doc=out.doc)
    if not ctx.redis.eval(_TAKE_LEASE, 1, lease, owner, LEASE_S):
        raise DocumentBusy(out.doc)
    try:
        state = ctx.redis.hgetall(key)  # type: ignore[assignment]
        if state.get("sid"):
            return "already sent"
        token = state.get("media", "")
        if not (token and state.get("sms") and ctx.media.alive(token)):
            token = _prepare(ctx, out, key)
        caption_key = "document.caption_dob" if ctx.unlock == "dob" else "document.caption"
        caption = chat_text(ctx, caption_key, out.msisdn, what=out.what, reference=out.reference)
        url = media_url(ctx.public_base_url, token, out.filename)
        sid = ctx.messenger.send(Channel.WHATSAPP, out.msisdn, caption, media_urls=[url])
        pipe = ctx.redis.pipeline(transaction=True)
        pipe.hset(key, "sid", sid)
        pipe.expire(key, DOC_TTL_S)
        pipe.set(MESSAGE_KEY.format(sid=sid), out.doc, ex=DOC_TTL_S)
        pipe.execute()
    finally:
        ctx.redis.eval(_DROP_LEASE, 1, lease, owner)
    log.info("document %s: sent to %s as %s", out.doc, mask_phone(out.msisdn), sid)
    return "sent"


def was_sent(redis: Redis, doc: str) -> bool:
    """Whether the document's WhatsApp message has gone (Twilio took it)."""
    return bool(redis.hget(DOC_KEY.format(doc=doc), "sid"))


def forget(redis: Redis, doc: str) -> None:
    """Clear a document's record so it can be delivered afresh (``retry`` after a failure)."""
    redis.delete(DOC_KEY.format(doc=doc))


def document_of_message(redis: Redis, sid: str) -> str | None:
    found = redis.get(MESSAGE_KEY.format(sid=sid))
    return str(found) if found else None
