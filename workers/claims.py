"""Money held for a mobile number: the refund job, scheduled for the claim's expiry when the
money is held. It takes the claim id only; running it twice refunds once (the bank moves a
claim out of ``pending`` once), the refund is audited (``money.refund``) and both people are told.
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis import Redis
from rq import Retry
from rq.job import Job

from auth.stores.audit import AuditLog
from auth.stores.languages import LanguageStore
from messaging import Channel, MessengerError, Notice, local_format
from messaging.masking import mask_account, mask_phone
from messaging.notices import render_notice
from workers.context import current
from workers.queues import FAILURE_TTL_S, MESSAGES_QUEUE, RESULT_TTL_S, queue_for

log = logging.getLogger("teller.claims")


def schedule_refund(connection: Redis, claim_id: str, at: datetime) -> Job:
    """Refund the claim at its expiry (if it is still pending then)."""
    job: Job = queue_for(MESSAGES_QUEUE, connection).enqueue_at(
        at,
        "workers.claims.refund_claim",
        claim_id,
        job_timeout=30,
        result_ttl=RESULT_TTL_S,
        failure_ttl=FAILURE_TTL_S,
        retry=Retry(max=3, interval=[30, 300, 3600]),
    )
    return job


def refund_claim(claim_id: str) -> str:
    ctx = current()
    claim = ctx.bank.refund_claim(claim_id)
    if claim is None:
        return "nothing to refund"
    held_in = {a.number: a.currency for a in ctx.bank.accounts(claim.customer_id)}
    currency = held_in.get(claim.from_account) or ctx.bank.profile().currency
    languages = LanguageStore(ctx.redis)

    def shown(language: str) -> str:
        return local_format.money(claim.amount, currency, language)

    sender = ctx.bank.customer(claim.customer_id)
    # Audited where the money moves, before the notices (a notice may fail; the refund stands).
    AuditLog(ctx.redis).record(
        "money.refund",
        at=ctx.clock(),
        customer_id=claim.customer_id,
        msisdn=sender.msisdn if sender is not None else claim.msisdn,
        channel="worker",
        result="success",
        amount=f"{currency} {claim.amount:.2f}",
        parties=f"from {mask_phone(claim.msisdn)} (held) to {mask_account(claim.from_account)}",
        reference=claim.reference,
    )
    # The money is back either way: a notice that fails is logged, and the refund not repeated.
    if sender is not None:  # in their WhatsApp, as its window allows (a week has passed)
        told = languages.get(sender.msisdn)
        params = {
            "amount": shown(told),
            "number": mask_phone(claim.msisdn),
            "reference": claim.reference,
            "account": mask_account(claim.from_account),
        }
        try:
            ctx.notifier.notify(
                Notice("claim_refunded_sender", sender.msisdn, params, language=told)
            )
        except MessengerError as exc:
            log.warning("refund notice to %s not sent: %s", mask_phone(sender.msisdn), exc)
    told = languages.get(claim.msisdn)
    text = render_notice(
        "claim_refunded_recipient", language=told, bank=ctx.bank_name, amount=shown(told)
    )
    try:  # the recipient has no wallet, and maybe no chat with the bank: by SMS
        ctx.messenger.send(Channel.SMS, claim.msisdn, text)
    except MessengerError as exc:
        log.warning("refund notice to %s not sent: %s", mask_phone(claim.msisdn), exc)
    log.info("claim %s refunded to its sender", claim_id)
    return "refunded"
