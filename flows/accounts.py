"""Balance and mini statement: the first secured intents. Reads only, through the bank port;
account numbers are masked before they reach a reply, and the conversation stores no account
number, only how many accounts were offered (the list is read again, in the bank's order).
"""

from __future__ import annotations

from bank.ports import Account, Transaction
from flows.conversation import Conversation
from flows.format import account_label, money, short_date
from flows.moving import numbered
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.masking import mask_account

STATEMENT_LINES = 5


def _accounts(ctx: Context) -> list[Account]:
    assert ctx.customer is not None
    return ctx.bank.accounts(ctx.customer.customer_id)


def _label(account: Account) -> str:
    return account_label(account.type, mask_account(account.number))


def balance(ctx: Context, account: Account | None = None) -> Outcome:
    """Every account's balance, or only ``account``'s (``balance savings``)."""
    accounts = [account] if account is not None else _accounts(ctx)
    if not accounts:
        return Outcome(State.MAIN_MENU, (Reply("accounts.none"), Reply("menu.hint")))
    lines = "\n".join(f"{_label(a)}: {money(a.balance, a.currency)}" for a in accounts)
    return Outcome(State.MAIN_MENU, (Reply("balance", {"lines": lines}), Reply("menu.hint")))


def mini_statement(ctx: Context) -> Outcome:
    accounts = _accounts(ctx)
    if not accounts:
        return Outcome(State.MAIN_MENU, (Reply("accounts.none"), Reply("menu.hint")))
    if len(accounts) == 1:
        return _statement(accounts[0], ctx)
    return choose_account(ctx, {})


def choose_account(ctx: Context, data: object) -> Outcome:
    """Ask which account (also how the flow resumes after a login)."""
    accounts = _accounts(ctx)
    return Outcome(
        State.STATEMENT_ACCOUNT,
        (numbered("statement.choose", [_label(a) for a in accounts]),),
        {"statement_accounts": len(accounts)},
    )


def handle_account(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """STATEMENT_ACCOUNT: a number from the list."""
    accounts = _accounts(ctx)
    if text.isdecimal() and 1 <= int(text) <= len(accounts):
        return _statement(accounts[int(text) - 1], ctx)
    return Outcome(
        State.STATEMENT_ACCOUNT,
        (numbered("fallback.statement_account", [_label(a) for a in accounts]),),
        conv.data,
    )


def _what(movement: Transaction) -> str:
    """The movement's description, with who was on the other side when it doesn't say
    (a bill's "Meter number 01234567890" · "City Power")."""
    other = movement.counterparty
    if not other or other in movement.description:
        return movement.description
    return f"{movement.description} · {other}"


def statement_of(ctx: Context, account: Account) -> Outcome:
    """The mini statement of one account (``mini statement savings``)."""
    return _statement(account, ctx)


def _statement(account: Account, ctx: Context) -> Outcome:
    movements = ctx.bank.mini_statement(account.number, STATEMENT_LINES)
    params = {"account": _label(account), "balance": money(account.balance, account.currency)}
    if not movements:
        return Outcome(State.MAIN_MENU, (Reply("statement.empty", params), Reply("menu.hint")))
    lines = "\n".join(
        f"{short_date(t.created_at, ctx.zone)}  {money(t.amount, account.currency)}  {_what(t)}"
        for t in movements
    )
    return Outcome(
        State.MAIN_MENU, (Reply("statement.mini", {**params, "lines": lines}), Reply("menu.hint"))
    )
