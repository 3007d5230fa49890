"""Requests in one line, in the customer's words: ``send 150 to fatuma``, ``pay city power 50``,
``bal``, ``statement pdf october``, ``lock card 4242``.

``flows.phrases`` reads the words; this module finds what they name among the customer's own
accounts, payees, billers and cards (``flows.matching``) and goes straight to the step of the
usual flow that comes next: the summary when everything is there, else the question for what is
missing. Nothing typed is dropped: words it can't place are said back, a name it can't find is
said back with the list to pick from, and a name that fits several is a short numbered choice
(REQUEST_CHOICE). A one-line request is secured like its menu entry, and is taken up again
after a login (``{"line": …}`` in AWAIT_AUTH's resume).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bank.ports import Account
from flows import accounts, bills, cards, documents, secured, transfer
from flows.conversation import Conversation
from flows.matching import Candidate, Match, match
from flows.moving import numbered, pick, sources
from flows.naming import (
    account_candidates,
    biller_candidates,
    is_biller,
    payee_candidates,
    resolve_pay,
    settle,
)
from flows.phrases import Intent, Request, parse
from flows.states import State
from flows.transfer_money import amount_given, ask_amount
from flows.types import Context, Outcome, Reply


def start(ctx: Context, text: str) -> Outcome | None:
    """The Outcome for a one-line request, or None when ``text`` isn't one (the caller goes on
    with the menu). Behind the token check, like every secured intent."""
    request = parse(text)
    if request is None:
        return None
    return secured.gate(ctx, {"line": text}) or answer(ctx, request, text)


def answer(ctx: Context, request: Request, line: str, chosen: str = "") -> Outcome:
    """Go on with ``request``; ``chosen`` is the candidate picked from a numbered choice."""
    if request.leftover:
        words = ", ".join(f"'{w}'" for w in request.leftover)
        return Outcome(State.MAIN_MENU, (Reply("oneline.leftover", {"words": words}),))
    if request.intent is Intent.PAY:
        return _pay(ctx, request, line, chosen)
    if request.intent is Intent.TRANSFER:
        return _transfer(ctx, request, line, chosen)
    if request.intent is Intent.BILL:
        return _bill(ctx, request, line, chosen)
    if request.intent in (Intent.CARD_LOCK, Intent.CARD_UNLOCK):
        return _card(ctx, request)
    account = _account(ctx, request.source)
    if isinstance(account, Outcome):
        return account
    if request.intent is Intent.BALANCE:
        return accounts.balance(ctx, account)
    if request.intent is Intent.MINI_STATEMENT:
        return accounts.statement_of(ctx, account) if account else accounts.mini_statement(ctx)
    return documents.start(ctx, account=account, period=request.period or "")


def handle_choice(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """REQUEST_CHOICE: which of the names the request fits (a number from the short list)."""
    ids = [str(i) for i in conv.data.get("ids", [])]
    index = pick(text, len(ids))
    request = parse(str(conv.data.get("line", "")))
    if request is None:
        return Outcome(State.MAIN_MENU, (Reply("menu.hint"),))
    if index is None:
        labels = [str(label) for label in conv.data.get("labels", [])]
        reply = numbered("fallback.request_choice", labels)
        return Outcome(State.REQUEST_CHOICE, (reply,), conv.data)
    return answer(ctx, request, str(conv.data["line"]), chosen=ids[index])


def ask_choice(ctx: Context, data: Mapping[str, Any]) -> Outcome:
    """REQUEST_CHOICE: "Which Chidi do you mean?" (also how it is asked again after a login)."""
    labels = [str(label) for label in data.get("labels", [])]
    reply = numbered("oneline.which", labels, {"name": str(data.get("name", ""))})
    return Outcome(State.REQUEST_CHOICE, (reply,), dict(data))


def _choice(ctx: Context, line: str, name: str, found: Match) -> Outcome:
    ids, labels = [c.id for c in found.choices], [c.name for c in found.choices]
    return ask_choice(ctx, {"line": line, "name": name, "ids": ids, "labels": labels})


def _pick(found: Match, chosen: str) -> Candidate | None:
    """The one candidate: the unique match, or the one the customer picked from the choice."""
    if chosen:
        return next((c for c in found.choices if c.id == chosen), found.unique)
    return found.unique


def _account(ctx: Context, words: str | None) -> Account | Outcome | None:
    """The account ``words`` name (None when they name none), or the Outcome that asks."""
    if not words:
        return None
    found = match(words, account_candidates(sources(ctx)))
    if found.unique is None:
        return Outcome(State.MAIN_MENU, (Reply("oneline.no_account", {"words": words}),))
    return next(a for a in sources(ctx) if a.number == found.unique.id)


def _pay(ctx: Context, request: Request, line: str, chosen: str) -> Outcome:
    """``pay X``: a payee or a biller, whichever X names."""
    assert ctx.customer is not None
    payees = payee_candidates(ctx.bank.payees(ctx.customer.customer_id))
    billers = biller_candidates(ctx.bank.billers())
    settled, found = resolve_pay(request, payees, billers)
    if chosen:
        picked = next((c for c in found.choices if c.id == chosen), None)
        if picked is not None:
            settled = settle(request, picked)
            found = Match(unique=picked, choices=(picked,))
    elif settled.intent is Intent.PAY:  # fits a payee and a biller alike: ask which
        return _choice(ctx, line, request.to or "", found)
    if settled.intent is Intent.BILL:
        code = found.unique.id.removeprefix("biller:") if found.unique else ""
        return _bill(ctx, settled, line, "", biller_code=code)
    return _transfer(ctx, settled, line, "")


def _payment_slots(ctx: Context, request: Request) -> dict[str, Any] | Outcome:
    """What a payment request already says (the account, the amount, a bill's reference), as
    the flow's slots; or the Outcome when there is no account to pay from or it names none."""
    if not sources(ctx):
        return Outcome(State.MAIN_MENU, (Reply("transfer.no_accounts"),))
    source = _account(ctx, request.source)
    if isinstance(source, Outcome):
        return source
    slots: dict[str, Any] = {"from": source.number} if source else {}
    if request.amount_text:
        slots["typed_amount"] = request.amount_text
    if request.reference:
        slots["typed_reference"] = request.reference
    return slots


def _transfer(ctx: Context, request: Request, line: str, chosen: str) -> Outcome:
    slots = _payment_slots(ctx, request)
    if isinstance(slots, Outcome):
        return slots
    if not request.to:
        return transfer.ask_payee(ctx, slots)
    targets = transfer.targets(ctx, slots.get("from", ""))
    candidates = [Candidate(str(n), t["match"]) for n, t in enumerate(targets)]
    found = match(request.to, candidates)
    picked = _pick(found, chosen)
    if picked is None and found.ambiguous:
        return _choice(ctx, line, request.to, found)
    if picked is None:  # say who wasn't found, and offer the list (a new payee included)
        asked = transfer.ask_payee(ctx, slots)
        note = Reply("oneline.no_payee", {"name": request.to})
        return Outcome(asked.state, (note, *asked.replies), asked.data)
    slots = {**slots, **targets[int(picked.id)], "new": False}
    typed = slots.pop("typed_amount", "")
    return amount_given(ctx, slots, typed) if typed else ask_amount(ctx, slots)


def _bill(ctx: Context, request: Request, line: str, chosen: str, biller_code: str = "") -> Outcome:
    slots = _payment_slots(ctx, request)
    if isinstance(slots, Outcome):
        return slots
    if not biller_code:
        if not request.biller:
            return bills.ask_biller(ctx, slots)
        found = match(request.biller, biller_candidates(ctx.bank.billers()))
        picked = _pick(found, chosen)
        if picked is None and found.ambiguous:
            return _choice(ctx, line, request.biller, found)
        if picked is None or not is_biller(picked):
            asked = bills.ask_biller(ctx, slots)
            note = Reply("oneline.no_biller", {"name": request.biller})
            return Outcome(asked.state, (note, *asked.replies), asked.data)
        biller_code = picked.id.removeprefix("biller:")
    return bills.ask_reference(ctx, {**slots, "biller": biller_code})


def _card(ctx: Context, request: Request) -> Outcome:
    """``lock card 4242``: straight to that card's step-up (the card's own checks apply)."""
    action = "lock" if request.intent is Intent.CARD_LOCK else "unlock"
    return cards.by_last4(ctx, request.card or "", action)


__all__ = ["answer", "ask_choice", "handle_choice", "parse", "start"]
