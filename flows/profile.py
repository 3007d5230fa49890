"""Profile changes from "Profile & security": the email address, the chat-banking ID and the
customer's own daily limit (lower than the bank's; lowering it is immediate, raising it back or
removing it is stepped up like the other profile changes). Each
goes through a step-up (the chat-banking ID under USERNAME_UPDATE; the email, which has no
action of its own in the scenario catalogue, follows the same Profile Management rule — a code
to the old address or number proves the change is the customer's), then the change, then an
SMS notice to the registered number. The PIN is changed on a secure page (``security``).

The email address and the limit are written by effects (``UpdateEmail`` and ``SendNotice``,
``SetPersonalLimit``): the reply doesn't depend on them. The chat-banking ID is a command the
handler calls itself, because identity may refuse it (taken meanwhile) and the reply says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from auth.ports import StepUpRequest
from flows import stepup
from flows.amounts import AmountProblem, parse_amount
from flows.conversation import Conversation
from flows.effects import SendNotice, SetPersonalLimit, UpdateEmail
from flows.format import money, short_time
from flows.moving import daily_cap, left_today
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.masking import mask_email

ACTION = "USERNAME_UPDATE"
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[a-z]{2,}")
MAX_EMAIL = 254


def ask_email(ctx: Context, slots: Mapping[str, Any] | None = None) -> Outcome:
    return Outcome(State.PROFILE_EMAIL, (Reply("profile.ask_email"),))


def handle_email(conv: Conversation, text: str, ctx: Context) -> Outcome:
    email = text.strip()
    if len(email) > MAX_EMAIL or not EMAIL.fullmatch(email):
        return Outcome(State.PROFILE_EMAIL, (Reply("fallback.profile_email"),), conv.data)
    assert ctx.customer is not None
    if email == ctx.customer.email.casefold():
        return Outcome(State.PROFILE_EMAIL, (Reply("profile.same_email"),), conv.data)
    request = StepUpRequest(action=ACTION, payee=f"email {mask_email(email)}")
    return stepup.require(ctx, request, "profile.email", {"email": email})


@stepup.continuation("profile.email")
def change_email(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    email = str(slots["email"])
    reply = Reply("profile.email_changed", {"email": mask_email(email)})
    # In this order: the notice says it was changed, so it goes only once the bank has it.
    effects = (UpdateEmail(email), SendNotice("email_changed"))
    return Outcome(State.MAIN_MENU, (reply, Reply("menu.hint")), effects=effects)


def ask_login_id(ctx: Context, slots: Mapping[str, Any] | None = None) -> Outcome:
    return Outcome(State.PROFILE_LOGIN_ID, (Reply("profile.ask_login_id"),))


def handle_login_id(conv: Conversation, text: str, ctx: Context) -> Outcome:
    assert ctx.customer is not None
    login_id = text.strip()
    problems = ctx.identity.login_id_problems(ctx.customer.msisdn, login_id)
    if problems:
        reply = Reply("profile.bad_login_id", {"problems": " ".join(problems)})
        return Outcome(State.PROFILE_LOGIN_ID, (reply,), conv.data)
    request = StepUpRequest(action=ACTION, payee=f"ID {login_id}")
    return stepup.require(ctx, request, "profile.login_id", {"login_id": login_id})


@stepup.continuation("profile.login_id")
def change_login_id(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    assert ctx.customer is not None
    login_id = str(slots["login_id"])
    problems = ctx.identity.change_login_id(ctx.customer.msisdn, ctx.customer.customer_id, login_id)
    if problems:  # taken meanwhile: ask again (the step-up is not asked again for a new ID)
        reply = Reply("profile.bad_login_id", {"problems": " ".join(problems)})
        return Outcome(State.MAIN_MENU, (reply, Reply("menu.hint")))
    reply = Reply("profile.login_id_changed", {"login_id": login_id})
    return Outcome(State.MAIN_MENU, (reply, Reply("menu.hint")))


# --- the customer's own daily limit: lowering is immediate, raising or removing is stepped up ---

REMOVE_WORDS = frozenset({"remove", "none", "no limit", "bank limit", "remove limit"})


def ask_limit(ctx: Context, slots: Mapping[str, Any] | None = None) -> Outcome:
    assert ctx.customer is not None
    bank_daily = _bank_daily(ctx)
    own = ctx.identity.personal_limit(ctx.customer.msisdn)
    left = left_today(ctx)
    params = {
        "bank_limit": money(bank_daily, ctx.currency),
        "own": money(own, ctx.currency) if own is not None else "none",
        "left": money(left, ctx.currency),
    }
    replies = [Reply("profile.ask_limit", params)]
    until = ctx.identity.cooling_off_until(ctx.customer.msisdn)
    cap = daily_cap(ctx)
    if until is not None and cap is not None and (own is None or cap < own):
        when = short_time(until, ctx.zone)
        facts = {"limit": money(cap, ctx.currency), "until": when}
        replies.append(Reply("profile.limit_cooling_off", facts))
    return Outcome(State.PROFILE_LIMIT, tuple(replies))


def _bank_daily(ctx: Context) -> Decimal:
    """The KYC level's daily limit (no channel cap)."""
    assert ctx.customer is not None
    return ctx.bank.limits(ctx.customer.customer_id).daily


def handle_limit(conv: Conversation, text: str, ctx: Context) -> Outcome:
    assert ctx.customer is not None
    own = ctx.identity.personal_limit(ctx.customer.msisdn)
    if text in REMOVE_WORDS:
        if own is None:
            return Outcome(State.MAIN_MENU, (Reply("profile.no_limit_to_remove"),))
        request = StepUpRequest(action=ACTION, payee="daily limit: the bank's")
        return stepup.require(ctx, request, "profile.limit", {"limit": ""})
    parsed = parse_amount(text, ctx.currency)
    if parsed.problem is AmountProblem.OTHER_CURRENCY:  # say which currency, as payments do
        reply = Reply("amount.other_currency", {"currency": ctx.currency})
        return Outcome(State.PROFILE_LIMIT, (reply,), conv.data)
    if parsed.value is None:
        return Outcome(State.PROFILE_LIMIT, (Reply("fallback.profile_limit"),), conv.data)
    bank_daily = _bank_daily(ctx)
    if parsed.value >= bank_daily:
        params = {"bank_limit": money(bank_daily, ctx.currency)}
        return Outcome(State.PROFILE_LIMIT, (Reply("profile.limit_not_lower", params),), conv.data)
    slots = {"limit": f"{parsed.value:.2f}"}
    if own is not None and parsed.value > own:  # raising it back: as sensitive as a payment
        request = StepUpRequest(action=ACTION, payee=f"daily limit {slots['limit']}")
        return stepup.require(ctx, request, "profile.limit", slots)
    return set_limit(ctx, slots)


@stepup.continuation("profile.limit")
def set_limit(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    raw = str(slots.get("limit", ""))
    limit = Decimal(raw) if raw else None
    if limit is None:
        reply = Reply("profile.limit_removed")
    else:
        reply = Reply("profile.limit_set", {"limit": money(limit, ctx.currency)})
    return Outcome(State.MAIN_MENU, (reply, Reply("menu.hint")), effects=(SetPersonalLimit(limit),))


HANDLERS = {
    State.PROFILE_EMAIL: handle_email,
    State.PROFILE_LOGIN_ID: handle_login_id,
    State.PROFILE_LIMIT: handle_limit,
}
PROMPTS = {
    State.PROFILE_EMAIL: ask_email,
    State.PROFILE_LOGIN_ID: ask_login_id,
    State.PROFILE_LIMIT: ask_limit,
}
