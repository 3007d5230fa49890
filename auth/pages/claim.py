"""``/secure/claim/<token>``: log in to receive money held for the number (``auth.claims``).

The chat's login page and rules (chat-banking ID and PIN, the PIN lockout), saying what is
waiting; on success the held amount is in the wallet and the page says so with the new
balance. A link whose claim was paid, refunded or expired — or that is used, expired or
unknown — gets the claim page's neutral answer.
"""

from __future__ import annotations

from decimal import Decimal

from flask import request, url_for
from flask.typing import ResponseReturnValue

from auth import claims
from auth.pages.common import blocked_page, opened, page, refusal, service
from auth.pages.protection import address, agent
from auth.stores.links import Link, Purpose
from bank.ports import Claim
from messaging.local_format import money
from messaging.masking import mask_account, mask_phone

TEMPLATE = "secure/login.html"


def _neutral() -> ResponseReturnValue:
    return page("claims/claim.html", 404, gone=True)


def _money(amount: Decimal) -> str:
    """In the page's language (the claim link's number's), as the chat writes amounts."""
    return money(amount, service().bank.profile().currency)


def _facts(claim: Claim) -> dict[str, str]:
    return {"amount": _money(claim.amount), "number": mask_phone(claim.msisdn)}


def _payable(link: Link) -> bool:
    return claims.pending_claim(service(), link) is not None


def claim(token: str) -> ResponseReturnValue:
    link = opened(token, Purpose.CLAIM, _payable, neutral=_neutral)
    waiting = claims.pending_claim(service(), link)
    if waiting is None:  # paid or refused in between: the same answer
        return _neutral()
    action = url_for("secure.claim", token=token)
    if request.method == "GET":
        return page(TEMPLATE, token=token, action=action, claim=_facts(waiting))
    received = claims.receive(
        service(),
        link,
        request.form.get("login_id", "")[:40],
        request.form.get("pin", "")[:40],
        address(),
        agent(),
    )
    attempt = received.attempt
    if attempt.ok and received.claim is not None and received.wallet is not None:
        return page(
            "secure/claimed.html",
            facts=_facts(received.claim),
            wallet=mask_account(received.wallet.number),
            balance=_money(received.wallet.balance),
        )
    if attempt.blocked_until is not None:
        return blocked_page(link.msisdn, attempt.blocked_until)
    if attempt.ok or attempt.gone:
        return _neutral()
    status = 401 if attempt.remaining else 400
    values = {"token": token, "action": action, "claim": _facts(waiting), **refusal(attempt)}
    return page(TEMPLATE, status, **values)
