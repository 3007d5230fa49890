"""What the secure pages' views share: the services they call, rendering, the one neutral
"gone" page, and ``opened`` — the one way a view opens its link: the link must be live, of the
page's purpose and not bound to another browser; a GET is refused while the customer is
blocked; a POST is rate-limited per number and per address and binds the link to this browser.

A view that can't go on *aborts* with the page that answers instead (``flask.abort`` with a
response), so every view reads top-down: open, parse, call, render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

from flask import abort, make_response, render_template, request, session
from flask.typing import ResponseReturnValue

from auth.attempts import Attempt
from auth.pages import languages
from auth.pages.protection import address, browser_id
from auth.service import AuthService
from auth.stepup import StepUpService
from auth.stores.links import Link, Purpose
from auth.stores.ratelimit import PAGE_POSTS_PER_ADDRESS, PAGE_POSTS_PER_NUMBER, RateLimited
from auth.wiring import services
from messaging.masking import mask_phone
from messaging.notices import bank_time, block_reason

log = logging.getLogger("teller.secure")

# What ``finished`` tells the chat about: the pages after which the bot carries on.
RESUMING = ("registered", "logged_in", "stepup_passed")


def service() -> AuthService:
    return services().auth


def stepups() -> StepUpService:
    return services().stepup


def page(template: str, status: int = 200, **values: object) -> ResponseReturnValue:
    return render_template(template, bank_name=service().bank_name, **values), status


def gone() -> ResponseReturnValue:
    """The one neutral answer for expired, used, unknown and foreign links."""
    return page("secure/gone.html", 404)


def blocked_page(msisdn: str, until: datetime | None = None) -> ResponseReturnValue:
    """What blocks chat banking on ``msisdn``, why, until when and whom to call — the words
    the chat and the SMS use. ``until``: the block the attempt just met, if the token check no
    longer sees one (it ended meanwhile)."""
    auth = service()
    found = auth.block_of(msisdn)
    by, ends = found if found is not None else ("", until)
    return page(
        "secure/blocked.html",
        403,
        until=bank_time(ends, auth.zone) if ends else None,
        reason=block_reason(by),
        by_bank=by == "bank",
        phone=auth.help_line(),
    )


def refusal(attempt: Attempt) -> dict[str, object]:
    """Template values for a refused attempt (never which factor was wrong)."""
    return {
        "problems": list(attempt.problems),
        "remaining": attempt.remaining,
        "blocked_until": _hhmm(attempt.blocked_until),
    }


def _hhmm(at: datetime | None) -> str | None:
    return bank_time(at, service().zone) if at else None


def answer_with(rendered: ResponseReturnValue) -> NoReturn:
    """Stop the view here: ``rendered`` is the answer (the blueprint's headers still apply)."""
    abort(make_response(rendered))


def open_link(token: str, purpose: Purpose) -> Link | None:
    link = service().open_link(token, purpose)
    if link is None:
        return None
    if link.browser and link.browser != session.get("browser"):
        return None  # bound to another browser: the same answer as an unknown link
    languages.choose(service().language(link.msisdn))  # the page speaks its number's language
    return link


def guard_post(
    link: Link, neutral: Callable[[], ResponseReturnValue] = gone
) -> ResponseReturnValue | None:
    """Rate limits and browser binding for a form post; None when it may go on."""
    now = service().clock()
    try:
        service().limiter.hit(PAGE_POSTS_PER_ADDRESS, address(), now)
        service().limiter.hit(PAGE_POSTS_PER_NUMBER, link.msisdn, now)
    except RateLimited as exc:
        log.warning("secure page: rate limit %s for %s", exc.limit.scope, mask_phone(link.msisdn))
        minutes = max(1, -(-exc.retry_after_s // 60))
        return page("secure/problem.html", 429, reason="rate_limited", minutes=minutes)
    if not service().links.bind(link, browser_id()):
        return neutral()
    return None


def opened(
    token: str,
    purpose: Purpose,
    accept: Callable[[Link], bool] | None = None,
    *,
    check_block: bool = True,
    neutral: Callable[[], ResponseReturnValue] = gone,
) -> Link:
    """The live link this request may use, or abort with the page that answers instead.

    Fails closed, in this order: an unknown, expired, used or foreign link — or one ``accept``
    refuses (the wrong step, a challenge or card no longer there) — gets the neutral "gone"
    page; a GET while any of the customer's credentials is blocked gets the blocked page
    (``check_block=False``: a page that checks no secret of the customer's); a POST past a rate
    limit gets 429, and one from a browser the link isn't bound to is "gone". ``neutral``: the
    page's own "gone" answer (the claim's). A Redis error propagates (the blueprint answers 503).
    """
    link = open_link(token, purpose)
    if link is None or (accept is not None and not accept(link)):
        answer_with(neutral())
    if request.method == "POST":
        refused = guard_post(link, neutral)
        if refused is not None:
            answer_with(refused)
    elif check_block:
        until = service().blocked_until(link.msisdn)
        if until is not None:
            answer_with(blocked_page(link.msisdn, until))
    return link


def resume_chat(msisdn: str) -> bool:
    """Carry the chat on with the interrupted intent (the typed callback ``app`` wires)."""
    return services().resume(msisdn)


def finished(link: Link, what: str) -> ResponseReturnValue:
    """The success page; the chat carries on with the interrupted intent."""
    resumed = False
    if what in RESUMING:
        try:
            resumed = resume_chat(link.msisdn)
        except Exception:  # the customer is logged in either way; the chat can catch up
            log.exception("resume after %s failed for %s", what, mask_phone(link.msisdn))
    return page("secure/done.html", what=what, resumed=resumed)
