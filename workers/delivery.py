"""Delivering one protected document, once: render, encrypt, keep it for Twilio, send the
password by SMS, send the PDF as WhatsApp media — safe to run twice, or after a crash. The PDF
goes through the proactive path (``messaging.proactive``): outside the 24-hour window it can't
go, so the customer gets the notice that it is ready instead and ``retry`` (a message, which
opens the window) sends it.

Each document has a record in Redis (``DOC_KEY``) that says how far it got: its stored media,
whether its password has gone out, the WhatsApp message it went in. A run reads it first and
skips what is done, so a job that runs twice sends once. A lease held by the RQ job's id keeps
two runs of *different* jobs for one document apart, while a retry of the same job (the previous
run died: ``kill -9``) takes its own lease over at once.

A document has one password however often it is tried: the password is derived from the jobs'
key and a random seed kept in the record, so a retry that must render the PDF again (its media
lapsed) renders it under the same password, and the SMS that carried it, once Twilio took it, is
not sent again. When the SMS itself failed ambiguously (Twilio accepted it and still answered an
error), the retry sends the same text again: the customer may read it twice, never two passwords.
The window left for the media is a crash after Twilio accepted it and before its id is recorded:
the retry sends it again (at least once beats never for a receipt). The password is never logged,
stored in Redis (the seed alone, without the key, gives nothing), nor put in a job's arguments
or in the chat. A customer's ``retry`` after a failure (``forget``) starts afresh: a new seed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis
from redis.cluster import RedisCluster

from auth.stores.languages import LANGUAGE_KEY, LanguageStore, language_of
from flows.responses import template
from messaging import Channel, LastInbound, Notice, Path
from messaging.languages import speaking, text
from messaging.masking import mask_phone
from receipts.protect import derived_password, dob_password, protect
from receipts.wording import DOCUMENTS, Wording
from workers.context import JobContext
from workers.media import media_url
from workers.requests import DocumentRef, remember_failed

log = logging.getLogger("teller.documents")

# hash: seed (32 hex digits: the document's password with the jobs' key, see _password), media
# (token of the stored PDF), sms ("1": its password went out), sid (WhatsApp message id once
# sent); TTL DOC_TTL_S, so a retry within a week still sees it was sent.
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
    title: str  # its key in ``receipts.wording``: the PDF's title, in the customer's language
    render: Callable[[Wording], bytes]  # the unprotected PDF, in the wording given


def wording(language: str) -> Wording:
    """What a receipt or statement prints, in ``language`` (the catalogs')."""
    return Wording(language, {k: text(k, en, language) for k, en in DOCUMENTS.items()})


def notice_fields(
    ctx: JobContext, out: Outgoing, language: str | None = None
) -> tuple[str, dict[str, object]]:
    """The document notices' language (the number's, read unless given) and fields, ``what``
    named in it."""
    if language is None:
        language = LanguageStore(ctx.redis).get(out.msisdn)
    with speaking(language):
        what = text(f"document.{out.what}", out.what)
    return language, {"bank": ctx.bank_name, "what": what, "reference": out.reference}


def chat_text(ctx: JobContext, key: str, language: str, **params: str) -> str:
    """A reply of the chat's catalog for a document, in ``language``; ``what`` (``receipt``,
    ``statement``) is named in it too."""
    with speaking(language):
        if "what" in params:
            params["what"] = text(f"document.{params['what']}", params["what"])
        return template(key).format(bank=ctx.bank_name, **params)


def _password(ctx: JobContext, out: Outgoing, seed: str) -> tuple[str, bool]:
    """(password, whether it must go by SMS). The date-of-birth option needs no SMS; otherwise
    the password is derived from the document, its seed and a key of the jobs' own (from the
    receipts' verification key, so a dump of Redis alone can't give it)."""
    if ctx.unlock == "dob":
        dob = ctx.bank.date_of_birth(out.customer_id)
        if dob is not None:
            return dob_password(dob), False
        log.warning("document %s: no date of birth on file; using a random password", out.doc)
    key = hmac.new(ctx.verify_key, b"teller document password", hashlib.sha256).digest()
    return derived_password(key, f"{out.doc}\0{seed}"), True


def _store(ctx: JobContext, out: Outgoing, say: Wording, key: str, password: str, seed: str) -> str:
    """Render and protect the document and keep it for Twilio, its seed beside it in the record
    (before any SMS can carry the password); returns the media token."""
    pdf = protect(out.render(say), password, title=say(out.title), author=ctx.bank_name)
    # The PDF and the record that points at it (and at the password's seed) go in one
    # transaction (the media store's client: bytes replies; nothing here is read back).
    pipe = ctx.raw.pipeline(transaction=True)
    token = ctx.media.put(pdf, out.filename, pipeline=pipe)
    pipe.hset(key, mapping={"media": token, "seed": seed})
    pipe.expire(key, DOC_TTL_S)
    pipe.execute()
    return token


def _prepare(ctx: JobContext, out: Outgoing, say: Wording, key: str, state: dict[str, str]) -> str:
    """The document's media, rendered again only if it is not stored any more, and its password
    sent unless an earlier attempt sent it: under the record's seed it is the same password. A
    record without a seed (a first attempt, or one written before seeds) gets a new seed, so
    nothing sent under another password counts."""
    seed = state.get("seed", "")
    new = not seed
    if new:
        seed = secrets.token_hex(16)
    password, by_sms = _password(ctx, out, seed)
    token = state.get("media", "")
    if new or not (token and ctx.media.alive(token)):
        token = _store(ctx, out, say, key, password, seed)
    if new or not state.get("sms"):
        if by_sms:
            params = {"what": out.what, "reference": out.reference, "password": password}
            sms = chat_text(ctx, "document.password_sms", say.language, **params)
            ctx.messenger.send(Channel.SMS, out.msisdn, sms)
        ctx.redis.hset(key, "sms", "1")
    return token


def deliver(ctx: JobContext, out: Outgoing, owner: str) -> str:
    """Deliver ``out`` unless it already went; returns what happened. Raises DocumentBusy when
    another job is delivering it, and the messenger's errors when a send fails (the caller's
    job retries)."""
    key = DOC_KEY.format(doc=out.doc)
    lease = LEASE_KEY.format(doc=out.doc)
    # One round trip: the lease, then the record read after it (nobody else writes the record
    # while we hold the lease, so what we read is what we act on), and the customer's language
    # and 24-hour window (one hash slot: the number's), which every path below needs.
    pipe = ctx.redis.pipeline(transaction=False)
    # A plain EVAL command: a Cluster pipeline has no eval() method, only commands it routes.
    pipe.execute_command("EVAL", _TAKE_LEASE, 1, lease, owner, LEASE_S)  # type: ignore[no-untyped-call]
    pipe.hgetall(key)
    pipe.get(LANGUAGE_KEY.format(msisdn=out.msisdn))
    pipe.get(ctx.window.key(out.msisdn))
    taken, state, stored_language, inbound_at = pipe.execute()
    if state.get("sid"):
        if taken:
            ctx.redis.eval(_DROP_LEASE, 1, lease, owner)
        return "already sent"
    if not taken:
        raise DocumentBusy(out.doc)
    say = wording(language_of(stored_language))
    # Read before rendering rather than just before the send: the window closes 5 minutes early
    # (bot.window.MARGIN), more than any job may run (its timeout: 120 s for a statement), and
    # a 63016 from WhatsApp still closes it and falls back (bot.outbound).
    last_inbound = LastInbound(ctx.window.parse(inbound_at))
    released = False
    try:
        token = _prepare(ctx, out, say, key, state)
        caption_key = "document.caption_dob" if ctx.unlock == "dob" else "document.caption"
        caption = chat_text(ctx, caption_key, say.language, what=out.what, reference=out.reference)
        url = media_url(ctx.public_base_url, token, out.filename)
        language, params = notice_fields(ctx, out, say.language)
        notice = Notice(
            "document_ready",
            out.msisdn,
            params,
            language=language,
            session_text=caption,
            media_urls=[url],
        )
        # The message's record (``bot.outbound``: what its status callback reads) goes in the
        # last round trip below, ahead of the pointer and the sent mark: the notifier writes to
        # the jobs' Redis (``ctx.redis``). Not on a Cluster, whose pipeline writes to each node
        # apart: there the record keeps its own transaction, before anything says "sent".
        apart = isinstance(ctx.redis, RedisCluster)
        pipe = ctx.redis.pipeline(transaction=False)
        sent = ctx.notifier.notify(notice, last_inbound, record_on=None if apart else pipe)
        if sent.path is not Path.SESSION:  # kept, with its password sent: ``retry`` sends it
            if not apart:
                pipe.execute()  # the message's record
            kind, _, ident = out.doc.partition(":")
            remember_failed(ctx.redis, out.msisdn, DocumentRef(kind, ident))
            log.info("document %s: outside the window, offered by %s", out.doc, sent.path)
            return "offered"
        sid = sent.sid
        # The message's pointer to its document goes first, so that a status callback can always
        # find the document once it is marked sent: a crash part-way may leave the pointer
        # without the mark (a retry then sends again: at least once), never the mark without the
        # pointer (``retry`` after a failed delivery would have nothing to resend). One server
        # runs a pipeline's commands in order, so there it is one round trip, not a MULTI (a
        # Cluster refuses one across slots, and these are three). A Cluster pipeline writes to
        # each node apart and goes on when one fails, so there the pointer is its own round trip.
        # Then the record and the lease (nobody else writes the record while we hold it).
        pointer = MESSAGE_KEY.format(sid=sid)
        if apart:
            ctx.redis.set(pointer, out.doc, ex=DOC_TTL_S)
        if not apart:
            pipe.set(pointer, out.doc, ex=DOC_TTL_S)
        pipe.hset(key, "sid", sid)
        pipe.expire(key, DOC_TTL_S)
        pipe.execute_command("EVAL", _DROP_LEASE, 1, lease, owner)  # type: ignore[no-untyped-call]
        pipe.execute()
        released = True
    finally:
        if not released:
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
