"""What every money movement's conversation shares: numbered choices, yes/no, the customer's
accounts, amounts checked against the balance and the KYC limits (with the reply that says
what's left), and the idempotency key derived from the confirmation.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bank.ports import (
    Account,
    BankError,
    IdempotencyConflict,
    InsufficientFunds,
    LimitExceeded,
)
from flows.amounts import parse_amount
from flows.format import account_label as kind_and_number
from flows.format import money, short_time
from flows.responses import choice_label
from flows.types import Choice, Context, Reply
from messaging.masking import mask_account

YES = frozenset({"yes", "y", "yes please", "confirm", "ok", "okay"})
NO = frozenset({"no", "n", "nope"})


def choices(labels: list[str]) -> str:
    return "\n".join(f"{n} {label}" for n, label in enumerate(labels, start=1))


def options(labels: list[str]) -> tuple[Choice, ...]:
    """The numbered choices as data: each picked by its number, as ``choices`` lists them."""
    return tuple(Choice(str(n), label) for n, label in enumerate(labels, start=1))


def numbered(key: str, labels: list[str], params: Mapping[str, str] | None = None) -> Reply:
    """A reply that lists ``labels`` by number in its ``{choices}`` and offers them as data."""
    return Reply(key, {**(params or {}), "choices": choices(labels)}, options(labels))


def yes_no_choices() -> tuple[Choice, ...]:
    """A yes/no question's two answers, picked by the words the confirmations read (YES, NO),
    labelled in the current language (a button's title)."""
    return (Choice("yes", choice_label("yes")), Choice("no", choice_label("no")))


def yes_no(key: str, params: Mapping[str, str] | None = None) -> Reply:
    """A reply that asks for YES or NO, offering both as choices."""
    return Reply(key, dict(params or {}), yes_no_choices())


def pick(text: str, count: int) -> int | None:
    """The 0-based index a reply of 1..count picks, or None."""
    return int(text) - 1 if text.isdecimal() and 1 <= int(text) <= count else None


def account_label(account: Account) -> str:
    return kind_and_number(account.type, mask_account(account.number))


def sources(ctx: Context) -> list[Account]:
    """The customer's accounts money can leave from."""
    assert ctx.customer is not None
    return list(ctx.bank.accounts(ctx.customer.customer_id))


def source(ctx: Context, number: str) -> Account | None:
    return next((a for a in sources(ctx) if a.number == number), None)


def daily_cap(ctx: Context) -> Decimal | None:
    assert ctx.customer is not None
    return ctx.identity.daily_cap(ctx.customer.msisdn)


def left_today(ctx: Context) -> Decimal:
    assert ctx.customer is not None
    return ctx.bank.limits(ctx.customer.customer_id, daily_cap(ctx)).left_today


def whose_daily(ctx: Context) -> tuple[str, dict[str, str]]:
    """Which daily limit binds today, and what to say of it: ``bank`` (the KYC level's),
    ``own`` (the customer's own: changed in Profile & security) or ``cooling_off`` (the lower
    limit while a new registration settles, with when it ends)."""
    assert ctx.customer is not None
    cap = daily_cap(ctx)
    level = ctx.bank.limits(ctx.customer.customer_id).daily
    if cap is None or cap >= level:
        return "bank", {"limit": money(level, ctx.currency)}
    own = ctx.identity.personal_limit(ctx.customer.msisdn)
    if own is not None and own == cap:
        return "own", {"limit": money(own, ctx.currency)}
    until = ctx.identity.cooling_off_until(ctx.customer.msisdn)
    when = short_time(until, ctx.zone) if until is not None else "soon"
    return "cooling_off", {"limit": money(cap, ctx.currency), "until": when}


def limit_reply(refusal: LimitExceeded, ctx: Context) -> Reply:
    """Why the amount is over a limit: whose limit it is, what is left, what to do next."""
    params = {
        "allowed": money(refusal.allowed, ctx.currency),
        "left": money(refusal.left, ctx.currency),
    }
    if refusal.limit.value != "daily":
        return Reply(f"limit.{refusal.limit.value}", params)
    whose, facts = whose_daily(ctx)
    key = "limit.daily" if whose == "bank" else f"limit.daily_{whose}"
    return Reply(key, {**params, **facts})


def used_up(ctx: Context) -> Reply:
    """Nothing left to send today: whose limit, and when it comes back."""
    whose, facts = whose_daily(ctx)
    key = "transfer.limit_used_up" if whose == "bank" else f"transfer.limit_used_up_{whose}"
    return Reply(key, facts)


def refused(exc: BankError, ctx: Context) -> tuple[Reply, ...]:
    """What to tell the customer when the bank refused a movement (nothing was moved)."""
    if isinstance(exc, LimitExceeded):
        return (limit_reply(exc, ctx), Reply("transfer.not_sent"))
    if isinstance(exc, InsufficientFunds):
        available = money(exc.available, ctx.currency)
        return (Reply("transfer.not_enough", {"available": available}), Reply("transfer.not_sent"))
    if isinstance(exc, IdempotencyConflict):
        return (Reply("transfer.conflict"),)
    return (Reply("transfer.refused"),)


def check_amount(
    ctx: Context, text: str, account: Account, limited: bool = True
) -> tuple[Decimal | None, Reply | None]:
    """The amount typed, or the reply that says why it can't be sent (nothing counted)."""
    parsed = parse_amount(text, ctx.currency)
    if parsed.value is None:
        assert parsed.problem is not None
        return None, Reply(f"amount.{parsed.problem.value}", {"currency": ctx.currency})
    if parsed.value > account.balance:
        available = money(account.balance, account.currency)
        return None, Reply("transfer.not_enough", {"available": available})
    if limited:
        assert ctx.customer is not None
        status = ctx.bank.limits(ctx.customer.customer_id, daily_cap(ctx))
        refusal = status.refusal(parsed.value)
        if refusal is not None:
            return None, limit_reply(refusal, ctx)
    return parsed.value, None


def lookup_refused(ctx: Context, kind: str) -> Reply | None:
    """Before someone else's name is read: counted and audited; the reply when it may not be."""
    assert ctx.customer is not None
    if ctx.lookups is None:  # not wired: fail closed
        return Reply("lookup.unavailable")
    wait = ctx.lookups.count_lookup(ctx.customer.msisdn, ctx.customer.customer_id, kind)
    if wait:
        return Reply("lookup.too_many", {"minutes": str(max(1, -(-wait // 60)))})
    return None


def payers(ctx: Context, exclude: str = "") -> list[Account]:
    """The accounts money could leave from (all but ``exclude``: a transfer's own destination)."""
    return [a for a in sources(ctx) if a.number != exclude]


def check_payment(
    ctx: Context, text: str, *, chosen: str = "", exclude: str = "", limited: bool = True
) -> tuple[Decimal | None, Account | None, Reply | None]:
    """The amount typed and the account it goes from, or the reply that says why it can't be
    sent (nothing counted). The account is ``chosen`` when the customer named one; otherwise
    the one with the most money that can pay it, so nobody is asked "from which account?"
    when the answer is obvious (the summary offers the others)."""
    candidates = [a for a in payers(ctx, exclude) if not chosen or a.number == chosen]
    if not candidates:
        return None, None, Reply("transfer.source_gone")
    richest = max(candidates, key=lambda a: a.balance)
    amount, refusal = check_amount(ctx, text, richest, limited)
    if amount is None:
        return None, None, refusal
    able = [a for a in candidates if a.balance >= amount]
    return amount, max(able, key=lambda a: a.balance), None


def other_payers(ctx: Context, slots: Mapping[str, Any], exclude: str = "") -> list[Account]:
    """Other accounts that could pay the summary's amount: what "from …" may switch to."""
    amount = Decimal(str(slots["amount"]))
    current = str(slots.get("from", ""))
    return [a for a in payers(ctx, exclude) if a.number != current and a.balance >= amount]


def switch_words(accounts: list[Account]) -> str:
    """How to name each account at a summary: ``*from current* (Current ••6790)``; by the last
    4 digits where two share a type."""
    types = [a.type for a in accounts]
    named = [
        (a.type if types.count(a.type) == 1 else a.number[-4:], account_label(a)) for a in accounts
    ]
    return ", ".join(f"*from {word}* ({label})" for word, label in named)


def summary_marks(ctx: Context, amount: Decimal) -> dict[str, str]:
    """What a summary adds to the slots: the amount, when it was shown, and a random mark of
    this one summary (two summaries in the same instant must not share a key)."""
    return {
        "amount": f"{amount:.2f}",
        "asked_at": ctx.now.isoformat(),
        "summary": secrets.token_hex(8),
    }


def idempotency_key(msisdn: str, slots: Mapping[str, Any], *fields: str) -> str:
    """One key per confirmed summary: the same confirmation gives the same key (a repeated
    ``yes`` replays the first result); any other facts or summary give another."""
    parts = [msisdn] + [str(slots.get(k, "")) for k in (*fields, "asked_at", "summary")]
    return "wa-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]
