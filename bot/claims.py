"""Money sent to a mobile number without a wallet, at the edge: the SMS with the one-time claim
link (the token is made here and only its digest stored, so it never reaches a job, a log or
the chat), the refund scheduled for the expiry, and the public page ``/claim/<token>``.

The page shows what is waiting and until when. A recipient who already has a wallet claims it
with one button (CSRF-protected); anyone else is told how to open a wallet — the money waits
until the link expires, then goes back to the sender. Every dead link gets the same page.
Rate-limited per address; the same headers and CSP as the secure pages.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from redis import Redis
from redis.exceptions import RedisError

from auth.pages.protection import address, protect_pages
from auth.stores.ratelimit import Limit, RateLimited
from bank.masking import mask_phone
from bank.ports import Claim, ClaimGone, CoreBanking
from messaging import Channel, Messenger, MessengerError
from messaging.notices import render_notice
from workers.claims import schedule_refund

log = logging.getLogger("teller.claims")
bp = Blueprint("claims", __name__)

CLAIM_PAGES_PER_ADDRESS = Limit("claim-address", 30, 10 * 60)
MAX_TOKEN = 128


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ClaimNotifier:
    bank: CoreBanking
    messenger: Messenger
    rq: Redis  # bytes replies: the queues
    base_url: str
    bank_name: str

    def notify(self, claim_id: str, sender_name: str) -> None:
        """Text the recipient their claim link and schedule the refund at expiry."""
        claim = self.bank.claim(claim_id)
        if claim is None:
            return
        schedule_refund(self.rq, claim.claim_id, claim.expires_at)
        token = secrets.token_urlsafe(32)
        self.bank.set_claim_token(claim.claim_id, digest(token))
        text = render_notice(
            "claim_link",
            sender=sender_name,
            currency=self.bank.profile().currency,
            amount=claim.amount,
            bank=self.bank_name,
            expires=claim.expires_at,
            url=f"{self.base_url}/claim/{token}",
        )
        try:
            self.messenger.send(Channel.SMS, claim.msisdn, text)
        except MessengerError as exc:  # the sender was told it's held; the refund still runs
            log.warning("claim link to %s not sent: %s", mask_phone(claim.msisdn), exc)


protect_pages(bp)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    services = current_app.extensions["teller"]
    return render_template("claims/claim.html", bank_name=services.bank_name, **values), status


def _open(token: str, now: Callable[[], datetime]) -> Claim | None:
    services = current_app.extensions["teller"]
    if not token or len(token) > MAX_TOKEN:
        return None
    claim: Claim | None = services.bank.claim_by_token(digest(token))
    if claim is None or claim.status != "pending" or claim.expires_at <= now():
        return None
    return claim


@bp.route("/claim/<token>", methods=["GET", "POST"])
def claim_page(token: str) -> ResponseReturnValue:
    services = current_app.extensions["teller"]
    try:
        services.auth.limiter.hit(CLAIM_PAGES_PER_ADDRESS, address(), services.clock())
    except RateLimited as exc:
        return _page(429, limited=max(1, -(-exc.retry_after_s // 60)))
    except RedisError:
        return _page(503, unavailable=True)
    claim = _open(token, services.clock)
    if claim is None:
        return _page(404, gone=True)
    wallet = services.bank.wallet_of(claim.msisdn)
    facts = {
        "amount": f"{services.bank.profile().currency} {claim.amount:,.2f}",
        "until": f"{claim.expires_at:%d %b %Y}",
        "number": mask_phone(claim.msisdn),
    }
    if request.method == "GET":
        return _page(token=token, facts=facts, wallet=wallet is not None)
    if wallet is None:
        return _page(400, token=token, facts=facts, wallet=False)
    try:
        services.bank.claim_into_wallet(claim.claim_id, wallet.number)
    except ClaimGone:
        return _page(404, gone=True)
    log.info("claim %s paid into the recipient's wallet", claim.claim_id)
    return _page(claimed=True, facts=facts)
