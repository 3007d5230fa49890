"""Profile & security, the in-chat security centre: recent logins (time, masked address,
browser), change PIN (PASSWORD_UPDATE: the step-up the MFA scenarios ask for, then a secure page,
never the chat), log out everywhere, upgrade the KYC level (a secure upload page: ``kyc``), the
language Teller writes in (``languages``).
Also the ``logout`` word.

``logout`` calls the port itself (the reply says whether a session was live); "log out
everywhere" says the same either way, so it is an effect (``LogOutEverywhere``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auth.ports import LinkRefused, StepUpRequest
from flows import kyc, languages, profile, stepup
from flows.conversation import Conversation
from flows.effects import LogOutEverywhere
from flows.format import short_time
from flows.states import State
from flows.types import Context, Outcome, Reply

_CHOICES: dict[str, str] = {
    "1": "logins",
    "recent logins": "logins",
    "logins": "logins",
    "2": "pin",
    "change pin": "pin",
    "pin": "pin",
    "3": "everywhere",
    "log out everywhere": "everywhere",
    "logout everywhere": "everywhere",
    "4": "email",
    "change email": "email",
    "email": "email",
    "5": "login_id",
    "change id": "login_id",
    "change chat-banking id": "login_id",
    "6": "limit",
    "daily limit": "limit",
    "limit": "limit",
    "7": "kyc",
    "upgrade kyc": "kyc",
    "upgrade kyc level": "kyc",
    "kyc": "kyc",
    "8": "language",
    "language": "language",
}


def show(ctx: Context, data: object = None) -> Outcome:
    return Outcome(State.SECURITY_MENU, (Reply("security.menu"),))


def handle(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """SECURITY_MENU (secured): one of three actions, then back to the main menu."""
    assert ctx.customer is not None
    choice = _CHOICES.get(text)
    if choice is None:
        return Outcome(State.SECURITY_MENU, (Reply("fallback.security_menu"),))
    if choice == "logins":
        return _recent_logins(ctx)
    if choice == "email":
        return profile.ask_email(ctx)
    if choice == "login_id":
        return profile.ask_login_id(ctx)
    if choice == "limit":
        return profile.ask_limit(ctx)
    if choice == "kyc":
        return kyc.start(ctx)
    if choice == "language":
        return languages.show(ctx)
    if choice == "pin":
        return stepup.require(ctx, StepUpRequest("PASSWORD_UPDATE"), "security.pin_link", {})
    reply = Reply("security.logged_out_everywhere")
    return Outcome(State.MAIN_MENU, (reply,), effects=(LogOutEverywhere(),))


@stepup.continuation("security.pin_link")
def pin_link(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    """The change-PIN page, once the step-up (if any) has passed."""
    assert ctx.customer is not None
    try:
        link = ctx.identity.link(ctx.customer.msisdn, ctx.customer.customer_id, "pin")
    except LinkRefused as exc:
        minutes = str(max(1, -(-exc.retry_after_s // 60)))
        return Outcome(State.MAIN_MENU, (Reply("auth.too_many_links", {"minutes": minutes}),))
    reply = Reply("security.pin_link", {"url": link.url, "minutes": str(link.minutes)})
    return Outcome(State.MAIN_MENU, (reply,))


def _recent_logins(ctx: Context) -> Outcome:
    assert ctx.customer is not None
    records = ctx.identity.recent_logins(ctx.customer.msisdn)
    if not records:
        return Outcome(State.MAIN_MENU, (Reply("security.no_logins"), Reply("menu.hint")))
    lines = "\n".join(f"{short_time(r.at, ctx.zone)} · {r.agent} · {r.address}" for r in records)
    return Outcome(
        State.MAIN_MENU, (Reply("security.logins", {"lines": lines}), Reply("menu.hint"))
    )


def logout(ctx: Context) -> Outcome:
    assert ctx.customer is not None
    ended = ctx.identity.logout(ctx.customer.msisdn, ctx.customer.customer_id)
    return Outcome(State.MAIN_MENU, (Reply("logout.done" if ended else "logout.none"),))
