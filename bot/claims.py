"""The public page ``/claim/<token>`` for money sent to a mobile number without a wallet (the
link itself is sent by ``bot.claim_notice``).

The page shows what is waiting and until when, and never moves money itself. What it offers
depends on the number:

- a wallet and chat banking: **Log in and receive it** issues a one-time login link for the
  claim (``/secure/claim/…``, ``auth.claims``: the chat login's ID, PIN and lockout) and goes
  to it; the money is paid in once they log in;
- a wallet but no chat-banking registration yet: register on WhatsApp first, then open the
  link again (a branch, if the number isn't in the chat-banking directory);
- a customer of the bank without a wallet: a branch (a wallet can't be opened on the number);
- anyone else: **Open a wallet and receive it** issues the onboarding link for the claim's
  number and goes to it; the money is paid in when the wallet opens.

Every dead link (used, expired, refunded, unknown) gets the same page. Rate-limited per
address; the same headers and CSP as the secure pages.

The page belongs to the claim's number, so it speaks that number's language (which the
recipient may have chosen in the chat, ``auth.stores.languages``), the amount and the date
written for it (``messaging.local_format``); a page that opened no claim (a dead link, the rate
limit, a form that sat too long) speaks the browser's (``auth.pages.languages.browser``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError

from auth.pages import languages
from auth.pages.protection import address, protect_pages
from auth.ports import IssuedLink, LinkRefused
from auth.stores.ratelimit import Limit, RateLimited
from bank.ports import BankUnavailable, Claim
from bank.wallet_types import Taken
from bot.claim_notice import digest
from bot.wiring import services
from messaging import local_format
from messaging.languages import text
from messaging.masking import mask_phone

bp = Blueprint("claims", __name__)

CLAIM_PAGES_PER_ADDRESS = Limit("claim-address", 30, 10 * 60)
MAX_TOKEN = 128
# What this module writes into the page, by key (the catalogs' ``pages`` group, app.languages).
TEXTS = {"page.claim.any_branch": "any of our branches"}


protect_pages(bp)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    graph = services()
    languages.default_to_browser()  # no claim was opened
    return render_template("claims/claim.html", bank_name=graph.bank_name, **values), status


def _expired(exc: CSRFError) -> ResponseReturnValue:
    """A post without a valid CSRF token: nothing was claimed; the recipient opens the link
    again (the page never repeats what is waiting without opening the claim afresh)."""
    return _page(400, expired=True)


bp.register_error_handler(CSRFError, _expired)


def _bank_busy(exc: BankUnavailable) -> ResponseReturnValue:
    """The bank's database stayed busy past its timeout: nothing was claimed; try again."""
    return _page(503, unavailable=True)


bp.register_error_handler(BankUnavailable, _bank_busy)


def _open(token: str, now: Callable[[], datetime]) -> Claim | None:
    graph = services()
    if not token or len(token) > MAX_TOKEN:
        return None
    claim: Claim | None = graph.bank.claim_by_token(digest(token))
    if claim is None or claim.status != "pending" or claim.expires_at <= now():
        return None
    languages.choose(_language(claim.msisdn))  # the page is its number's
    return claim


def _language(msisdn: str) -> str:
    """The number's language; the browser's if Redis can't say (a preference: the page still
    works, and the links it issues read Redis again and answer its failure themselves)."""
    try:
        return services().auth.language(msisdn)
    except RedisError:
        return languages.browser()


def _route(claim: Claim) -> str:
    """Which way the number receives it: ``login``, ``register`` (chat banking first),
    ``branch`` (only a branch can help) or ``onboard`` (open a wallet)."""
    graph = services()
    wallet = graph.bank.wallet_of(claim.msisdn)
    if wallet is None:
        taken = graph.bank.wallet_taken(claim.msisdn, "")
        return "branch" if taken is Taken.NUMBER else "onboard"
    if graph.auth.credentials.get(claim.msisdn) is not None:
        return "login"
    return "register" if graph.bank.customer_by_msisdn(claim.msisdn) is not None else "branch"


def _facts(claim: Claim) -> dict[str, str]:
    graph = services()
    profile = graph.bank.profile()
    branches = "; ".join(f"{b.name}, {b.address}" for b in profile.branches)
    return {
        "amount": local_format.money(claim.amount, profile.currency),
        "until": local_format.when(claim.expires_at, "%d %b %Y"),
        "number": mask_phone(claim.msisdn),
        "whatsapp": graph.config.twilio_whatsapp_from.removeprefix("whatsapp:"),
        "branches": branches or _text("page.claim.any_branch"),
    }


def _text(key: str) -> str:
    return text(key, TEXTS[key])


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
    route, facts = _route(claim), _facts(claim)
    if request.method == "GET" or route not in ("login", "onboard"):
        return _page(token=token, facts=facts, route=route)
    try:
        issued = _issue(claim, route)
    except LinkRefused as exc:
        minutes = max(1, -(-exc.retry_after_s // 60))
        return _page(429, token=token, facts=facts, route=route, limited=minutes)
    # The same site serves both pages: go by path, so the browser stays on the host it used.
    return redirect(urlsplit(issued.url).path, code=303)


def _issue(claim: Claim, route: str) -> IssuedLink:
    """The secure page that pays the claim: the claim's login (the number has a wallet and
    chat banking) or wallet opening (``CoreBanking.open_wallet`` pays every claim held for
    the number, once)."""
    auth = services().auth
    if route == "onboard":
        return auth.link(claim.msisdn, "", "onboard")
    wallet = services().bank.wallet_of(claim.msisdn)
    customer_id = wallet.customer_id if wallet is not None else ""
    return auth.claim_login_link(claim.msisdn, customer_id, claim.claim_id)
