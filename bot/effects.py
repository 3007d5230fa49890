"""Performing the flows' effects at the edge, before the conversation is stored.

Flows call ports only for what they need an answer to; everything fire-and-forget comes back
as an effect (``flows.effects``) and is performed here, in the order given. Documents: a
statement request is counted against the customer's limit, stored under a fresh id (with the
account and dates the job needs) and enqueued with that id alone; ``retry`` re-enqueues the
customer's last undelivered document; when one is refused, its replies replace the flow's.
Money movements and card changes are appended to the audit first among their outcome's effects
(a movement performed again is the bank's replay, recorded ``replayed``). Receipts and claims
are enqueued or texted; payees, the email address, the personal limit, the
sessions and the step-up challenge are written through the bank, identity and step-up ports.
Performed again (a message whose commit failed is processed again), the writes end where they
did: one payee per bank and account, the same address and limit, a session or challenge already
ended; at worst a notice, receipt or statement is sent twice.
Fails closed: an error propagates and the webhook answers "try again shortly"; an effect whose
port is not wired raises rather than being dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from redis import Redis

from auth.ports import Identity, StepUp
from auth.service import CHANNEL
from auth.stores.audit import AuditLog
from auth.stores.ratelimit import Limit, RateLimited, RateLimiter
from bank.ports import CoreBanking, Customer
from bot.claim_notice import ClaimNotifier
from flows.effects import (
    EndStepUp,
    LogOutEverywhere,
    NotifyClaim,
    RecordMovement,
    ResendDocument,
    SavePayee,
    SendNotice,
    SendReceipt,
    SendStatement,
    SetPersonalLimit,
    UpdateEmail,
)
from flows.types import Effect, Reply
from messaging.masking import mask_phone
from workers.delivery import forget
from workers.jobs import enqueue_document, enqueue_receipt, enqueue_statement
from workers.requests import create_request, take_failed

log = logging.getLogger("teller.documents")

# Statements are rendered on shared workers: a handful an hour is plenty for one person.
DOCUMENT_REQUESTS = Limit("documents", 5, 3600)

T = TypeVar("T")


class EffectNotWired(RuntimeError):
    """An effect came back whose port the runner was not given: a wiring mistake, never
    dropped silently (the customer would be told something was done that wasn't)."""

    def __init__(self, effect: Effect, port: str) -> None:
        super().__init__(f"{type(effect).__name__} needs the {port} port")
        self.effect = effect
        self.port = port


@dataclass(frozen=True)
class EffectRunner:
    redis: Redis  # str replies: requests, pointers, rate limits
    rq: Redis  # bytes replies: the queues
    limiter: RateLimiter
    clock: Callable[[], datetime]
    claims: ClaimNotifier | None = None  # money held for mobile numbers
    bank: CoreBanking | None = None  # payees, the email address
    identity: Identity | None = None  # notices, the personal limit, sessions
    stepup: StepUp | None = None  # ending a challenge the customer left
    audit: AuditLog | None = None  # money movements and card changes

    def perform(self, effects: tuple[Effect, ...], customer: Customer) -> tuple[Reply, ...] | None:
        """Perform every effect, in order; return replies to send instead of the flow's when a
        document request was refused, else None."""
        refused: tuple[Reply, ...] | None = None
        for effect in effects:
            replies = self._perform(effect, customer)
            if refused is None:
                refused = replies
        return refused

    def _perform(self, effect: Effect, customer: Customer) -> tuple[Reply, ...] | None:
        msisdn, customer_id = customer.msisdn, customer.customer_id
        match effect:
            case SendStatement() | ResendDocument():
                return self._document(effect, customer)
            case SendReceipt(txn_id=txn_id):
                job = enqueue_receipt(self.rq, txn_id)  # a receipt is never rate-limited
                log.info("receipt of txn %s for %s: job %s", txn_id, mask_phone(msisdn), job.id)
            case NotifyClaim(claim_id=claim_id):
                self._port(self.claims, effect, "claims").notify(claim_id, _first(customer))
            case SavePayee(name=name, bank_code=code, account_number=number):
                # The bank keeps one payee per bank and account: saving twice is harmless.
                self._port(self.bank, effect, "bank").add_payee(customer_id, name, code, number)
            case UpdateEmail(email=email):
                self._port(self.bank, effect, "bank").update_email(customer_id, email)
            case SendNotice(what=what):
                self._port(self.identity, effect, "identity").notify(msisdn, what)
            case SetPersonalLimit(limit=limit):
                identity = self._port(self.identity, effect, "identity")
                identity.set_personal_limit(msisdn, customer_id, limit)
            case LogOutEverywhere():
                identity = self._port(self.identity, effect, "identity")
                identity.logout(msisdn, customer_id, everywhere=True)
            case EndStepUp():
                self._port(self.stepup, effect, "step-up").cancel(msisdn, customer_id)
            case RecordMovement():
                self._record(effect, customer)
            case _:
                raise TypeError(f"no performer for the effect {effect!r}")
        return None

    def _record(self, effect: RecordMovement, customer: Customer) -> None:
        """The movement's audit entry, with only the facts it has (all masked by the flow)."""
        audit = self._port(self.audit, effect, "audit")
        facts = {
            "reason": effect.reason,
            "amount": effect.amount,
            "parties": effect.parties,
            "reference": effect.reference,
            "card": effect.card,
            "new_card": effect.new_card,
        }
        audit.record(
            effect.event,
            at=self.clock(),
            customer_id=customer.customer_id,
            msisdn=customer.msisdn,
            channel=CHANNEL,
            result=effect.result,
            **{name: value for name, value in facts.items() if value},
        )

    @staticmethod
    def _port(port: T | None, effect: Effect, name: str) -> T:
        if port is None:
            raise EffectNotWired(effect, name)
        return port

    def _document(
        self, effect: SendStatement | ResendDocument, customer: Customer
    ) -> tuple[Reply, ...] | None:
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


def _first(customer: Customer) -> str:
    """How a claim text names the sender: their first name."""
    return customer.name.split()[0] if customer.name.strip() else customer.name
