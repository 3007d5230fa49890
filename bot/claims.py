"""The public page ``/claim/<token>`` for money sent to a mobile number without a wallet (the
link itself is sent by ``bot.claim_notice``).

The page shows what is waiting and until when. A recipient who already has a wallet claims it
with one button (CSRF-protected); anyone else opens a wallet from here (a button that issues
the onboarding link for the claim's number and goes to it), and the money is paid in when the
wallet opens — else it waits until the link expires, then goes back to the sender. Every dead
link gets the same page. Rate-limited per address; the same headers and CSP as the secure
pages. A claim paid (or refused because it went meanwhile) is audited here, where the money
moves (``money.claim``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError

from auth.pages.protection import address, protect_pages
from auth.ports import LinkRefused
from auth.stores.ratelimit import Limit, RateLimited
from bank.ports import Account, Claim, ClaimGone
from bot.claim_notice import digest
from bot.wiring import services
from messaging.masking import mask_account, mask_phone

log = logging.getLogger("teller.claims")
bp = Blueprint("claims", __name__)

CLAIM_PAGES_PER_ADDRESS = Limit("claim-address", 30, 10 * 60)
MAX_TOKEN = 128


protect_pages(bp)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    graph = services()
    return render_template("claims/claim.html", bank_name=graph.bank_name, **values), status


def _expired(exc: CSRFError) -> ResponseReturnValue:
    """A post without a valid CSRF token: nothing was claimed; the recipient opens the link
    again (the page never repeats what is waiting without opening the claim afresh)."""
    return _page(400, expired=True)


bp.register_error_handler(CSRFError, _expired)


def _open(token: str, now: Callable[[], datetime]) -> Claim | None:
    graph = services()
    if not token or len(token) > MAX_TOKEN:
        return None
    claim: Claim | None = graph.bank.claim_by_token(digest(token))
    if claim is None or claim.status != "pending" or claim.expires_at <= now():
        return None
    return claim


@bp.route("/claim/<token>", methods=["GET", "POST"])
def claim_page(token: str) -> ResponseReturnValue:
    graph = services()
    try:
        graph.auth.limiter.hit(CLAIM_PAGES_PER_ADDRESS, address(), graph.clock())
    except RateLimited as exc:
        return _page(429, limited=max(1, -(-exc.retry_after_s // 60)))
    except RedisError:
        return _page(503, unavailable=True)
    claim = _open(token, graph.clock)
    if claim is None:
        return _page(404, gone=True)
    wallet = graph.bank.wallet_of(claim.msisdn)
    facts = {
        "amount": f"{graph.bank.profile().currency} {claim.amount:,.2f}",
        "until": f"{claim.expires_at:%d %b %Y}",
        "number": mask_phone(claim.msisdn),
    }
    if request.method == "GET":
        return _page(token=token, facts=facts, wallet=wallet is not None)
    if wallet is None:
        return _onboard(claim, token, facts)
    try:
        graph.bank.claim_into_wallet(claim.claim_id, wallet.number)
    except ClaimGone:
        _audit(claim, wallet, facts["amount"], "refused", reason="claim_gone")
        return _page(404, gone=True)
    _audit(claim, wallet, facts["amount"], "success")
    log.info("claim %s paid into the recipient's wallet", claim.claim_id)
    return _page(claimed=True, facts=facts)


def _onboard(claim: Claim, token: str, facts: dict[str, str]) -> ResponseReturnValue:
    """No wallet yet: open one for the claim's number; the money is paid in when it opens
    (``CoreBanking.open_wallet`` pays every claim held for the number, once)."""
    try:
        issued = services().auth.link(claim.msisdn, "", "onboard")
    except LinkRefused as exc:
        minutes = max(1, -(-exc.retry_after_s // 60))
        return _page(429, token=token, facts=facts, wallet=False, limited=minutes)
    return redirect(issued.url, code=303)


def _audit(claim: Claim, wallet: Account, amount: str, result: str, **detail: str) -> None:
    """The claim in the audit (money moved outside the chat): the recipient, whose wallet it
    went into, with the sender's account and the recipient's wallet masked."""
    graph = services()
    parties = f"from {mask_account(claim.from_account)} to {mask_phone(claim.msisdn)}"
    graph.auth.audit.record(
        "money.claim",
        at=graph.clock(),
        customer_id=wallet.customer_id,
        msisdn=claim.msisdn,
        channel="web",
        result=result,
        amount=amount,
        parties=f"{parties} (wallet {mask_account(wallet.number)})",
        reference=claim.reference,
        **detail,
    )
