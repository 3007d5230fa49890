"""``/verify``: the public page where anyone holding a receipt checks that it is genuine.

They type the verification code printed on it; the page rebuilds the receipt's facts from the
bank by its reference and checks the code's HMAC (``receipts.verification``). A genuine receipt
shows its amount, date and masked parties, to compare with the paper; anything else gets one
neutral answer that never says whether the reference exists. Checks are rate-limited per address
(an 80-bit tag can't be guessed, but nobody should get to try). Same headers, CSP and CSRF as
the secure pages; fails closed: Redis down is a 503, never an unchecked answer.

The page speaks the browser's language (``Accept-Language``, best matched among the catalogs'
languages, else English: ``auth.pages.languages.browser``). Not the receipt customer's: the bank's
transfer record doesn't carry a language, and the one who checks a receipt is usually someone
else (a merchant, a landlord); nor may a failed check's answer depend on whose the reference
would be. Amounts and times are written for that language (``messaging.local_format``).
"""

from __future__ import annotations

import logging
from datetime import tzinfo

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError

from auth.pages import languages
from auth.pages.protection import address, protect_pages
from auth.stores.ratelimit import Limit, RateLimited
from bank.ports import BankUnavailable, CoreBanking
from bot.wiring import services
from messaging import local_format
from messaging.languages import text
from receipts import verification, wording
from receipts.model import Receipt
from workers.sources import receipt_for

log = logging.getLogger("teller.verify")
bp = Blueprint("verify", __name__)

VERIFY_PER_ADDRESS = Limit("verify-address", 20, 10 * 60)
MAX_CODE = 80
WHEN = "%d %b %Y, %H:%M %Z"  # as the receipt prints it (receipts.layout.when)


@bp.before_request
def _in_browsers_language() -> None:
    """Before anything is written (and before the CSRF check, whose answer is a page too)."""
    languages.choose(languages.browser())


protect_pages(bp)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    graph = services()
    languages.default_to_browser()  # a CSRF refusal answered before this blueprint's own hook
    label = text("receipt.verification", wording.RECEIPT["receipt.verification"])
    return (
        render_template(
            "verify/verify.html", bank_name=graph.bank_name, code_label=label, **values
        ),
        status,
    )


def _expired(exc: CSRFError) -> ResponseReturnValue:
    """A post without a valid CSRF token (the form sat open too long, or the cookie went):
    this page again, saying so, with a fresh form."""
    return _page(400, expired=True)


bp.register_error_handler(CSRFError, _expired)


def _bank_busy(exc: BankUnavailable) -> ResponseReturnValue:
    """The bank's database did not answer in time: the same "try again" as Redis down."""
    log.error("verify: the bank is unavailable (%s)", exc)
    return _page(503, unavailable=True, code=request.form.get("code", "")[:MAX_CODE])


bp.register_error_handler(BankUnavailable, _bank_busy)


@bp.get("/verify")
def form() -> ResponseReturnValue:
    return _page()


@bp.post("/verify")
def check() -> ResponseReturnValue:
    graph = services()
    code = request.form.get("code", "")[:MAX_CODE]
    try:
        graph.auth.limiter.hit(VERIFY_PER_ADDRESS, address(), graph.clock())
    except RateLimited as exc:
        log.warning("verify: rate limit for an address")
        return _page(429, limited=max(1, -(-exc.retry_after_s // 60)), code=code)
    except RedisError as exc:
        log.error("verify: Redis unavailable (%s)", type(exc).__name__)
        return _page(503, unavailable=True, code=code)
    receipt = _genuine(code, graph.bank, graph.bank_name, graph.verify_keys, graph.zone)
    if receipt is None:
        return _page(200, checked=True, genuine=False, code=code)
    facts = {
        "reference": receipt.reference,
        "amount": local_format.money(receipt.amount, receipt.currency),
        "when": local_format.when(receipt.created_at, WHEN),
        "sender": receipt.sender.line(),
        "recipient": receipt.recipient.line(),
        "status": _status(receipt.status),
    }
    return _page(200, checked=True, genuine=True, facts=facts, code=code)


def _status(status: str) -> str:
    """The receipt's status as the receipt words it (``receipt.status.completed``)."""
    key = f"receipt.status.{status}"
    english = wording.RECEIPT.get(key)
    return text(key, english) if english else status.capitalize()


def _genuine(
    code: str, bank: CoreBanking, bank_name: str, keys: tuple[bytes, ...], zone: tzinfo
) -> Receipt | None:
    """The receipt a code belongs to, or None: unreadable, unknown reference or wrong tag all
    look the same from outside."""
    parsed = verification.parse(code)
    if parsed is None:
        return None
    reference, tag = parsed
    record = bank.transfer_by_reference(reference)
    if record is None:
        return None
    receipt = receipt_for(bank, record, bank_name, zone)
    # Every key is tried (current, then the one being rotated out) whatever the first says.
    verdicts = [verification.matches(receipt, tag, key) for key in keys]
    return receipt if any(verdicts) else None
