"""Bill payments (BILL_PAY_CREATE): a biller from the bank's list, the reference checked against
the biller's own label and pattern (a meter number, a smartcard number), the amount, then the
movement sub-flow every payment shares (``flows.movement``): summary → ``yes`` → step-up → the
bank, once → reference → receipt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from auth.ports import StepUpRequest
from bank.ports import BILLER_BANK_CODE, Biller, TransferRequest
from flows.conversation import Conversation
from flows.format import money
from flows.movement import Moved, Movement, receipt, register
from flows.moving import (
    account_label,
    check_payment,
    daily_cap,
    idempotency_key,
    left_today,
    numbered,
    pick,
    sources,
    summary_marks,
    used_up,
)
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.languages import text

ACTION = "BILL_PAY_CREATE"
MAX_REFERENCE = 40


def _biller(ctx: Context, code: str) -> Biller | None:
    return next((b for b in ctx.bank.billers() if b.code == code), None)


def start(ctx: Context) -> Outcome:
    """The ``pay bill`` intent (secured by the menu)."""
    billers = ctx.bank.billers()
    if not billers:
        return Outcome(State.MAIN_MENU, (Reply("bill.none"),))
    if not sources(ctx):
        return Outcome(State.MAIN_MENU, (Reply("transfer.no_accounts"),))
    return ask_biller(ctx, {})


def ask_biller(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    labels = [b.name for b in ctx.bank.billers()]
    reply = numbered("bill.choose_biller", labels)
    return Outcome(State.BILL_BILLER, (reply,), dict(slots))


def handle_biller(conv: Conversation, text: str, ctx: Context) -> Outcome:
    billers = ctx.bank.billers()
    index = pick(text, len(billers))
    if index is None:
        index = next((n for n, b in enumerate(billers) if b.name.casefold() == text), None)
    if index is None:
        labels = [b.name for b in billers]
        reply = numbered("fallback.bill_biller", labels)
        return Outcome(State.BILL_BILLER, (reply,), conv.data)
    return ask_reference(ctx, {**conv.data, "biller": billers[index].code})


def ask_reference(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    """The biller's reference; when a one-line request already said it, straight on."""
    biller = _biller(ctx, str(slots["biller"]))
    if biller is None:
        return Outcome(State.MAIN_MENU, (Reply("bill.biller_gone"),))
    if slots.get("typed_reference"):
        typed = str(slots["typed_reference"])
        rest = {k: v for k, v in slots.items() if k != "typed_reference"}
        return handle_reference(Conversation(State.BILL_REFERENCE, rest), typed, ctx)
    params = {
        "biller": biller.name,
        "label": biller.reference_label,
        "example": example_reference(biller.reference_pattern),
    }
    return Outcome(State.BILL_REFERENCE, (Reply("bill.ask_reference", params),), dict(slots))


def handle_reference(conv: Conversation, text: str, ctx: Context) -> Outcome:
    biller = _biller(ctx, str(conv.data["biller"]))
    if biller is None:
        return Outcome(State.MAIN_MENU, (Reply("bill.biller_gone"),))
    reference, amount_text = split_reference(text, biller.reference_pattern)
    if reference is None:
        reply = Reply("bill.bad_reference", {"label": biller.reference_label.lower()})
        return Outcome(State.BILL_REFERENCE, (reply,), conv.data)
    slots = {**conv.data, "reference": reference}
    if amount_text:  # "01234567890 45": the amount came with it
        return amount_given(ctx, slots, amount_text)
    return ask_amount(ctx, slots)


def valid_reference(text: str, pattern: str) -> str | None:
    """The reference as the biller writes it (spaces and dashes between groups dropped), or
    None when it doesn't fit the biller's pattern."""
    reference = re.sub(r"[\s-]", "", text).upper()[:MAX_REFERENCE]
    try:
        return reference if re.fullmatch(pattern, reference) else None
    except re.error:  # a biller the bank set up wrongly: refuse, don't guess
        return None


def split_reference(text: str, pattern: str) -> tuple[str | None, str]:
    """(the reference, an amount typed after it): ``0123 4567 890`` → (``01234567890``, ""),
    ``01234567890 45.50`` → (``01234567890``, ``45.50``). The whole text as a reference wins,
    so a reference with spaces in it is never cut short."""
    whole = valid_reference(text, pattern)
    if whole is not None:
        return whole, ""
    head, _, last = text.rpartition(" ")
    if head and any(c.isdigit() for c in last):
        found = valid_reference(head, pattern)
        if found is not None:
            return found, last
    return None, ""


def example_reference(pattern: str) -> str:
    """A placeholder shaped like the biller's reference: ``^[0-9]{11}$`` → ``01234567890``,
    ``^WC[0-9]{8}$`` → ``WC01234567``; a pattern of another shape gets a plain word."""
    shaped = re.fullmatch(r"\^?([A-Z]*)\[0-9\]\{(\d+)\}\$?", pattern)
    if shaped:
        count = int(shaped.group(2))
        return shaped.group(1) + ("0123456789" * (count // 10 + 1))[:count]
    return text("bill.your_reference", "your reference")


def ask_source(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    labels = [f"{account_label(a)} ({money(a.balance, a.currency)})" for a in sources(ctx)]
    reply = numbered("bill.choose_source", labels)
    return Outcome(State.BILL_SOURCE, (reply,), dict(slots))


def handle_source(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """BILL_SOURCE: asked only when a request names an account that several match."""
    accounts = sources(ctx)
    index = pick(text, len(accounts))
    if index is None:
        reply = numbered("fallback.bill_source", [account_label(a) for a in accounts])
        return Outcome(State.BILL_SOURCE, (reply,), conv.data)
    return ask_amount(ctx, {**conv.data, "from": accounts[index].number})


def ask_amount(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    """How much; when a one-line request already said it (``typed_amount``), straight on."""
    if slots.get("typed_amount"):
        typed = str(slots["typed_amount"])
        return amount_given(ctx, {k: v for k, v in slots.items() if k != "typed_amount"}, typed)
    left = left_today(ctx)
    if left <= 0:
        return Outcome(State.MAIN_MENU, (used_up(ctx),))
    params = {"currency": ctx.currency, "left": money(left, ctx.currency)}
    return Outcome(State.BILL_AMOUNT, (Reply("bill.ask_amount", params),), dict(slots))


def handle_amount(conv: Conversation, text: str, ctx: Context) -> Outcome:
    return amount_given(ctx, conv.data, text)


def amount_given(ctx: Context, slots: Mapping[str, Any], text: str) -> Outcome:
    """The amount, and the account it goes from, settled together; then the summary."""
    if left_today(ctx) <= 0:  # also when the amount came with the reference
        return Outcome(State.MAIN_MENU, (used_up(ctx),))
    amount, account, refused = check_payment(ctx, text, chosen=str(slots.get("from", "")))
    if amount is None or account is None:
        assert refused is not None
        if refused.key == "transfer.source_gone":
            return Outcome(State.MAIN_MENU, (refused,))
        state = State.BILL_AMOUNT
        return Outcome(state, (refused,), {k: v for k, v in slots.items() if k != "amount"})
    return MOVEMENT.summary(ctx, {**slots, "from": account.number, **summary_marks(ctx, amount)})


def _payee(ctx: Context, slots: Mapping[str, Any]) -> str:
    biller = _biller(ctx, str(slots["biller"]))
    name = biller.name if biller else str(slots["biller"])
    return f"{name} ({slots['reference']})"


def _narration(ctx: Context, slots: Mapping[str, Any]) -> str:
    """What the statement and the receipt say: ``Meter number 01234567890`` (the bank's ledger
    names the biller beside it)."""
    biller = _biller(ctx, str(slots["biller"]))
    label = biller.reference_label if biller else "Bill"
    return f"{label} {slots['reference']}"[:100]


# --- the summary, yes, step-up, the bank: the shared movement sub-flow ---


def _challenge(ctx: Context, slots: Mapping[str, Any]) -> StepUpRequest:
    return StepUpRequest(
        action=ACTION,
        amount=str(slots["amount"]),
        currency=ctx.currency,
        payee=_payee(ctx, slots),
        account=str(slots["from"]),
        destination=f"{slots['biller']}:{slots['reference']}",
    )


def _request(ctx: Context, slots: Mapping[str, Any]) -> TransferRequest:
    assert ctx.customer is not None
    return TransferRequest(
        idempotency_key=idempotency_key(
            ctx.customer.msisdn, slots, "from", "biller", "reference", "amount"
        ),
        from_account=str(slots["from"]),
        to_account=str(slots["biller"]),
        to_bank_code=BILLER_BANK_CODE,
        amount=Decimal(str(slots["amount"])),
        narration=_narration(ctx, slots),
        customer_id=ctx.customer.customer_id,
        daily_cap=daily_cap(ctx),
    )


def _done(
    ctx: Context, slots: Mapping[str, Any], moved: Moved, params: Mapping[str, str]
) -> Outcome:
    return receipt("bill.done", params, moved)


MOVEMENT = register(
    Movement(
        then="bill.execute",
        confirm=State.BILL_CONFIRM,
        summary_key=lambda slots: "bill.summary",
        payee=_payee,
        challenge=_challenge,
        request=_request,
        done=_done,
    )
)

HANDLERS = {
    State.BILL_BILLER: handle_biller,
    State.BILL_REFERENCE: handle_reference,
    State.BILL_SOURCE: handle_source,
    State.BILL_AMOUNT: handle_amount,
    State.BILL_CONFIRM: MOVEMENT.handle_confirm,
}
PROMPTS = {
    State.BILL_BILLER: ask_biller,
    State.BILL_REFERENCE: ask_reference,
    State.BILL_SOURCE: ask_source,
    State.BILL_AMOUNT: ask_amount,
    State.BILL_CONFIRM: MOVEMENT.summary,
}
