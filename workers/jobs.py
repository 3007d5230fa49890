"""The document jobs and how to enqueue them. Jobs take ids only (a transaction id, a statement
request id, a document id), find everything else through the process's ``JobContext``, and are
safe to run twice (``workers.delivery``).

A failed attempt raises, and RQ retries it with the back-off declared in ``workers.queues`` (or
later, when Twilio's ``Retry-After`` asks for longer: ``wait_at_least``). On
the last attempt, or on a refusal no retry can cure, the customer is told in the chat and can
reply ``retry`` to have it sent again. When that notice can't go either (Twilio itself is down),
it becomes a job of its own (``tell_failed``), retried until Twilio is back.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date

from redis import Redis
from rq import get_current_job
from rq.job import Job

from messaging import MessengerError, Notice
from messaging.masking import mask_phone
from receipts import verification
from receipts.render import render_receipt
from receipts.statement import render_statement
from receipts.wording import Wording
from workers.context import JobContext, current
from workers.delivery import (
    DocumentBusy,
    Outgoing,
    deliver,
    document_of_message,
    forget,
    notice_fields,
    was_sent,
)
from workers.queues import NOTICE_JOB, RECEIPT_JOB, STATEMENT_JOB, TELL_JOB, wait_at_least
from workers.requests import DocumentRef, load_request, remember_failed
from workers.sources import receipt_for, statement_for

log = logging.getLogger("teller.documents")
FAILED_STATUSES = frozenset({"failed", "undelivered"})


# Enqueueing: what the web tier (and the money flows) call -----------------------------------
def enqueue_receipt(connection: Redis, txn_id: int) -> Job:
    """Send the receipt of the transfer whose debit is ``txn_id`` (``TransferResult.txn_id``)."""
    return RECEIPT_JOB.enqueue(connection, "workers.jobs.send_receipt", int(txn_id))


def enqueue_statement(connection: Redis, request_id: str) -> Job:
    """Send the statement of a request stored by ``workers.requests.create_request``."""
    return STATEMENT_JOB.enqueue(connection, "workers.jobs.send_statement", request_id)


def enqueue_document(connection: Redis, ref: DocumentRef) -> Job:
    if ref.kind == "receipt":
        return enqueue_receipt(connection, int(ref.id))
    return enqueue_statement(connection, ref.id)


def on_message_status(redis: Redis, connection: Redis, sid: str, status: str) -> bool:
    """A Twilio status callback: if a document's message failed, tell its customer (by a job).
    Returns whether it concerned a document."""
    doc = document_of_message(redis, sid) if status in FAILED_STATUSES else None
    if doc is None:
        return False
    NOTICE_JOB.enqueue(connection, "workers.jobs.report_undelivered", doc)
    return True


# The jobs --------------------------------------------------------------------------------
def send_receipt(txn_id: int) -> str:
    ref = DocumentRef("receipt", str(txn_id))
    return _run(ref, lambda ctx: _receipt(ctx, int(txn_id)))


def send_statement(request_id: str) -> str:
    ref = DocumentRef("statement", request_id)
    return _run(ref, lambda ctx: _statement(ctx, request_id))


def report_undelivered(doc: str) -> str:
    """Twilio could not deliver a document's message: say so in the chat, offer ``retry``."""
    ctx = current()
    kind, _, ident = doc.partition(":")
    ref = DocumentRef(kind, ident)
    out = _outgoing(ctx, ref)
    if out is None:
        return "unknown document"
    forget(ctx.redis, out.doc)
    _tell_failed(ctx, ref, out)
    return "reported"


def tell_failed(doc: str) -> str:
    """Send a document's failure notice that couldn't go at the time. A failed send raises, so
    RQ tries again with ``TELL_JOB``'s back-off; a document delivered since (the customer's
    ``retry``) needs no notice."""
    ctx = current()
    kind, _, ident = doc.partition(":")
    out = _outgoing(ctx, DocumentRef(kind, ident))
    if out is None:
        return "unknown document"
    if was_sent(ctx.redis, out.doc):
        return "delivered since"
    try:
        ctx.notifier.notify(_failed_notice(ctx, out))
    except MessengerError as exc:
        wait_at_least(get_current_job(), exc.retry_after_s)  # Twilio's Retry-After
        raise
    log.warning("%s: not delivered; told %s", out.doc, mask_phone(out.msisdn))
    return "told"


# Building what to send -------------------------------------------------------------------
def _outgoing(ctx: JobContext, ref: DocumentRef) -> Outgoing | None:
    if ref.kind == "receipt" and ref.id.isdecimal():
        return _receipt(ctx, int(ref.id))
    if ref.kind == "statement":
        return _statement(ctx, ref.id)
    return None


def _receipt(ctx: JobContext, txn_id: int) -> Outgoing | None:
    record = ctx.bank.transfer_record(txn_id)
    customer = ctx.bank.customer(record.customer_id) if record else None
    if record is None or customer is None:
        log.warning("receipt for transaction %s: no such transfer; nothing sent", txn_id)
        return None
    receipt = receipt_for(ctx.bank, record, ctx.bank_name, ctx.zone, customer)
    code = verification.code_for(receipt, ctx.verify_key)
    verify_url = f"{ctx.public_base_url}/verify"
    return Outgoing(
        doc=f"receipt:{txn_id}",
        what="receipt",
        reference=record.reference,
        msisdn=customer.msisdn,
        customer_id=customer.customer_id,
        filename=f"receipt-{record.reference}.pdf",
        title="receipt.title",
        render=lambda say: render_receipt(receipt, code, verify_url, say),
    )


def _statement(ctx: JobContext, request_id: str) -> Outgoing | None:
    request = load_request(ctx.redis, request_id)
    customer = ctx.bank.customer(request.customer_id) if request else None
    if request is None or customer is None:
        log.warning("statement %s: no such request (expired?); nothing sent", request_id)
        return None
    account = next(
        (a for a in ctx.bank.accounts(customer.customer_id) if a.number == request.account), None
    )
    if account is None:
        log.warning("statement %s: the account is no longer the customer's", request_id)
        return None

    def render(say: Wording) -> bytes:
        doc = statement_for(
            ctx.bank,
            customer,
            account,
            request.first,
            request.last,
            now=ctx.clock(),
            reference=request_id,
            bank_name=ctx.bank_name,
            zone=ctx.zone,
        )
        return render_statement(doc, say)

    return Outgoing(
        doc=f"statement:{request_id}",
        what="statement",
        reference=request_id,
        msisdn=customer.msisdn,
        customer_id=customer.customer_id,
        filename=f"statement-{_compact(request.first)}-{_compact(request.last)}.pdf",
        title="statement.title",
        render=render,
    )


def _compact(day: date) -> str:
    return day.strftime("%Y%m%d")


# Running one attempt ---------------------------------------------------------------------
def _run(ref: DocumentRef, build: Callable[[JobContext], Outgoing | None]) -> str:
    ctx = current()
    job = get_current_job()
    owner = job.id if job is not None else secrets.token_hex(8)
    last = job is None or not job.retries_left  # RQ counts retries down as it uses them
    out: Outgoing | None = None
    try:
        out = build(ctx)
        if out is None:
            return "nothing to send"
        return deliver(ctx, out, owner)
    except DocumentBusy:
        if last:
            return "another job is delivering it"
        raise
    except MessengerError as exc:
        if out is not None and (last or not exc.retryable):
            _tell_failed(ctx, ref, out)
        if not exc.retryable:
            log.warning("%s:%s: not sent and not retried (%s)", ref.kind, ref.id, exc)
            return "refused"
        wait_at_least(job, exc.retry_after_s)  # Twilio's Retry-After, if it gave one
        raise
    except Exception:
        if out is not None and last:
            _tell_failed(ctx, ref, out)
        raise


def _failed_notice(ctx: JobContext, out: Outgoing) -> Notice:
    language, params = notice_fields(ctx, out)
    return Notice("document_failed", out.msisdn, params, language=language)


def _tell_failed(ctx: JobContext, ref: DocumentRef, out: Outgoing) -> None:
    """Say in the chat that the document didn't come, and remember it for ``retry``. A notice
    Twilio can't take now goes later, by a job; nothing here raises: the failure RQ records
    must stay the document's."""
    try:
        remember_failed(ctx.redis, out.msisdn, ref)
        ctx.notifier.notify(_failed_notice(ctx, out))
        log.warning("%s: not delivered; told %s", out.doc, mask_phone(out.msisdn))
    except MessengerError as exc:
        if exc.retryable:
            TELL_JOB.enqueue(ctx.raw, "workers.jobs.tell_failed", out.doc)
        log.warning(
            "%s: could not tell %s it failed yet (%s)", out.doc, mask_phone(out.msisdn), exc
        )
    except Exception:
        log.exception("%s: could not tell %s it failed", out.doc, mask_phone(out.msisdn))
