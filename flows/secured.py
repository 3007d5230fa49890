"""The token check in front of every secured intent (the "birds eye view" of the journey):
valid → go on (the check slid the session's expiry); missing and never registered → a
registration link; missing or expired for a registered customer → a login link; blocked → how
to get help: what is blocked, why, until when, and whom to call (``blocked``: the same words as
the SMS and the secure page). While the customer is on the secure page, the conversation waits
in AWAIT_AUTH with what it needs to resume: an intent to start, or a secured state and its
slots to return to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from auth.ports import LinkRefused, Status
from flows.format import short_time
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.notices import block_reason, help_line


def gate(ctx: Context, resume: Mapping[str, Any]) -> Outcome | None:
    """None when the session is valid; otherwise the Outcome that sends the right link."""
    assert ctx.customer is not None  # the engine answers unknown numbers before any flow
    check = ctx.identity.check(ctx.customer.msisdn)
    if check.status is Status.VALID:
        return None
    if check.status is Status.BLOCKED:
        return blocked(ctx, check.blocked_by, check.blocked_until)
    return send_link(
        ctx, registered=check.registered, expired=check.status is Status.EXPIRED, resume=resume
    )


def blocked(ctx: Context, by: str, until: datetime | None, key: str = "auth.blocked") -> Outcome:
    """Chat banking is blocked (by a lockout of kind ``by``, or ``bank``: staff) until ``until``
    on the bank's clock (None: until the bank lifts it): say why, till when and whom to call."""
    profile = ctx.bank.profile()
    phone = help_line(profile.fraud_phone, profile.phone)
    if by == "bank" or until is None:
        when = short_time(until, ctx.zone) if until is not None else "you call us"
        reply = Reply("auth.blocked_by_bank", {"until": when, "phone": phone})
    else:
        params = {"until": short_time(until, ctx.zone), "reason": block_reason(by), "phone": phone}
        reply = Reply(key, params)
    return Outcome(State.MAIN_MENU, (reply,))


def send_link(
    ctx: Context, *, registered: bool, expired: bool, resume: Mapping[str, Any]
) -> Outcome:
    assert ctx.customer is not None
    purpose = "login" if registered else "register"
    try:
        link = ctx.identity.link(ctx.customer.msisdn, ctx.customer.customer_id, purpose)
    except LinkRefused as exc:
        minutes = str(max(1, -(-exc.retry_after_s // 60)))
        return Outcome(State.MAIN_MENU, (Reply("auth.too_many_links", {"minutes": minutes}),))
    if not registered:
        key = "auth.register_link"
    elif expired:
        key = "auth.expired_link"
    else:
        key = "auth.login_link"
    reply = Reply(key, {"url": link.url, "minutes": str(link.minutes)})
    return Outcome(State.AWAIT_AUTH, (reply,), {"resume": dict(resume), "purpose": purpose})
