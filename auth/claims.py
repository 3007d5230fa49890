"""Receiving money held for a mobile number that has a wallet: the recipient logs in on the
secure login page — the chat login's own check and lockout (``auth.login.check_login``) — and
the held amount is paid into their wallet, once.

Once is three locks deep: the login link is used up by exactly one post (of two browsers, or
a form posted twice, one goes on), the bank pays a claim only from ``pending`` inside one
transaction (``CoreBanking.claim_into_wallet``), and a claim that is no longer pending —
claimed, refunded or expired — is "gone" before the PIN is even checked. Logging in here
starts no chat session: the page receives money, it doesn't sign the chat in.

The audit entry of a claim paid (``money.claim``) and the sender's notice live here too; wallet
opening (``auth.onboarding``) records the claims it pays the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from auth.attempts import Attempt
from auth.login import check_login
from auth.service import AuthService
from auth.stores.links import Link
from auth.stores.lockout import Kind
from bank.ports import Account, Claim, ClaimGone
from messaging import MessengerError, Notice, local_format
from messaging.masking import mask_account, mask_phone

log = logging.getLogger("teller.claims")


@dataclass(frozen=True)
class Received:
    """What the login-and-claim answered; on success, the claim paid and the wallet now."""

    attempt: Attempt
    claim: Claim | None = None
    wallet: Account | None = None


def pending_claim(service: AuthService, link: Link) -> Claim | None:
    """The link's claim while it can still be paid to the link's number; else None."""
    claim_id = str(link.state.get("claim_id", ""))
    claim = service.bank.claim(claim_id) if claim_id else None
    if claim is None or claim.msisdn != link.msisdn or claim.status != "pending":
        return None
    return claim if claim.expires_at > service.clock() else None


def receive(
    service: AuthService, link: Link, login_id: str, pin: str, address: str, agent: str
) -> Received:
    """Log in with the chat-banking ID and PIN, then pay the link's claim into the wallet.

    Fails closed: a claim gone meanwhile answers "gone" (nothing checked, nothing counted); a
    wrong ID or PIN counts toward the PIN lockout like the chat's login; a blocked customer is
    refused even with the right PIN; a link another post used up is "gone".
    """
    if pending_claim(service, link) is None:
        return Received(Attempt.link_gone())
    refused = check_login(service, link, login_id, pin, address)
    if refused is not None:
        return Received(refused)
    if not service.links.consume(link):
        return Received(Attempt.link_gone())
    service.lockouts.success(link.msisdn, Kind.PIN)
    service.history.add(link.msisdn, service.clock(), address, agent)
    service.audit_link(link, "login", "success", address=address, purpose="claim")
    return _pay(service, link)


def _pay(service: AuthService, link: Link) -> Received:
    claim = service.bank.claim(str(link.state.get("claim_id", "")))
    wallet = service.bank.wallet_of(link.msisdn)
    if claim is None or wallet is None:
        return Received(Attempt.link_gone())
    try:
        paid = service.bank.claim_into_wallet(claim.claim_id, wallet.number)
    except ClaimGone:  # refunded or expired between the check and the payment
        audit_claim(service, claim, wallet.number, wallet.customer_id, "refused", "claim_gone")
        return Received(Attempt.link_gone())
    audit_claim(service, paid, wallet.number, wallet.customer_id)
    tell_sender(service, paid)
    log.info("claim %s paid into the recipient's wallet", paid.claim_id)
    return Received(Attempt.done(), paid, service.bank.wallet_of(link.msisdn) or wallet)


def audit_claim(
    service: AuthService,
    claim: Claim,
    wallet: str,
    customer_id: str,
    result: str = "success",
    reason: str = "",
) -> None:
    """A claim paid into a wallet (or refused), in the audit: masked parties, the sender's
    reference."""
    currency = service.bank.profile().currency
    parties = f"from {mask_account(claim.from_account)} to {mask_phone(claim.msisdn)}"
    detail = {"reason": reason} if reason else {}
    service.audit.record(
        "money.claim",
        at=service.clock(),
        customer_id=customer_id,
        msisdn=claim.msisdn,
        channel="web",
        result=result,
        amount=f"{currency} {claim.amount:.2f}",
        parties=f"{parties} (wallet {mask_account(wallet)})",
        reference=claim.reference,
        **detail,
    )


def tell_sender(service: AuthService, claim: Claim) -> None:
    """Tell the sender in their WhatsApp (by the path its window allows) that their money
    arrived; a failure is logged, not raised."""
    sender = service.bank.customer(claim.customer_id)
    if sender is None:
        return
    currency = service.bank.profile().currency
    language = service.language(sender.msisdn)
    params = {
        "amount": local_format.money(claim.amount, currency, language),
        "number": mask_phone(claim.msisdn),
        "reference": claim.reference,
        "bank": service.bank_name,
    }
    try:
        service.notifier.notify(
            Notice("claim_paid_sender", sender.msisdn, params, language=language)
        )
    except MessengerError as exc:  # the money arrived either way; it shows in their statement
        log.warning("claim notice to %s not sent: %s", mask_phone(sender.msisdn), exc)
