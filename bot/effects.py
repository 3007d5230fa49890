"""Performing the document flows' effects at the edge: rate-limit, record, enqueue.

A statement request is counted against the customer's limit, stored under a fresh id (with the
account and dates the job needs) and enqueued with that id alone. ``retry`` re-enqueues the
customer's last undelivered document. When an effect is refused, its replies replace the flow's.
Fails closed: a Redis error propagates and the webhook answers "try again shortly".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from auth.stores.ratelimit import Limit, RateLimited, RateLimiter
from bank.ports import Customer
from bot.claim_notice import ClaimNotifier
from flows.effects import NotifyClaim, ResendDocument, SendReceipt, SendStatement
from flows.types import Effect, Reply
from messaging.masking import mask_phone
from workers.delivery import forget
from workers.jobs import enqueue_document, enqueue_receipt, enqueue_statement
from workers.requests import create_request, take_failed

log = logging.getLogger("teller.documents")

# Statements are rendered on shared workers: a handful an hour is plenty for one person.
DOCUMENT_REQUESTS = Limit("documents", 5, 3600)


@dataclass(frozen=True)
class EffectRunner:
    redis: Redis  # str replies: requests, pointers, rate limits
    rq: Redis  # bytes replies: the queues
    limiter: RateLimiter
    clock: Callable[[], datetime]
    claims: ClaimNotifier | None = None  # money held for mobile numbers

    def perform(self, effects: tuple[Effect, ...], customer: Customer) -> tuple[Reply, ...] | None:
        """Perform the document effects; return replies to send instead of the flow's when one
        was refused, else None. Effects of other kinds are left to their own performers."""
        for effect in effects:
            if isinstance(effect, NotifyClaim):
                if self.claims is not None:
                    self.claims.notify(effect.claim_id, customer.name.split()[0])
                continue
            if isinstance(effect, SendReceipt):
                job = enqueue_receipt(self.rq, effect.txn_id)  # a receipt is never rate-limited
                log.info(
                    "receipt of txn %s for %s: job %s",
                    effect.txn_id,
                    mask_phone(customer.msisdn),
                    job.id,
                )
                continue
            if not isinstance(effect, SendStatement | ResendDocument):
                continue
            try:
                self.limiter.hit(DOCUMENT_REQUESTS, customer.msisdn, self.clock())
            except RateLimited as exc:
                log.warning("documents: rate limit for %s", mask_phone(customer.msisdn))
                minutes = str(max(1, -(-exc.retry_after_s // 60)))
                return (Reply("statement_pdf.rate_limited", {"minutes": minutes}),)
            if isinstance(effect, SendStatement):
                self._statement(effect, customer)
            elif not self._retry(customer):
                return (Reply("document.nothing_to_resend"),)
        return None

    def _statement(self, effect: SendStatement, customer: Customer) -> None:
        request = create_request(
            self.redis,
            msisdn=customer.msisdn,
            customer_id=customer.customer_id,
            account=effect.account_number,
            first=effect.first,
            last=effect.last,
        )
        job = enqueue_statement(self.rq, request.request_id)
        who = mask_phone(customer.msisdn)
        log.info("statement %s for %s: job %s", request.request_id, who, job.id)

    def _retry(self, customer: Customer) -> bool:
        ref = take_failed(self.redis, customer.msisdn)
        if ref is None:
            return False
        forget(self.redis, f"{ref.kind}:{ref.id}")
        job = enqueue_document(self.rq, ref)
        who = mask_phone(customer.msisdn)
        log.info("%s:%s sent again for %s: job %s", ref.kind, ref.id, who, job.id)
        return True
