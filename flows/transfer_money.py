"""A transfer's amount and the rest of its journey: the amount and the account it leaves from,
settled together (the summary offers the other accounts that can pay), then the movement
sub-flow every payment shares (``flows.movement``) with what is particular to transfers: the
hold for a mobile number without a wallet, the claim text, and "save this payee?" after a new
account payee's first transfer (``SavePayee`` on yes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from auth.ports import StepUpRequest
from bank.ports import TransferRequest
from flows.conversation import Conversation
from flows.effects import NotifyClaim, SavePayee, SendReceipt
from flows.format import money, short_date
from flows.movement import Moved, Movement, receipt, register
from flows.moving import (
    NO,
    YES,
    check_payment,
    daily_cap,
    idempotency_key,
    left_today,
    summary_marks,
    used_up,
    yes_no,
)
from flows.states import State
from flows.types import Context, Outcome, Reply

OWN = "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE"
P2P = "P2P_CREATE"
INTRA = "INTRA_BANK_FUND_TRANSFER_CREATE"
INTER = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"
CLAIM_DAYS = 7


# --- how much ---


def ask_amount(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    """How much; when a one-line request already said it (``typed_amount``), straight on."""
    if slots.get("typed_amount"):
        typed = str(slots["typed_amount"])
        return amount_given(ctx, {k: v for k, v in slots.items() if k != "typed_amount"}, typed)
    left = None if slots.get("action") == OWN else left_today(ctx)
    if left is not None and left <= 0:
        return Outcome(State.MAIN_MENU, (used_up(ctx),))
    params = {"currency": ctx.currency, "payee": str(slots["payee"])}
    if left is None:
        reply = Reply("transfer.ask_amount", params)
    else:
        reply = Reply("transfer.ask_amount_left", {**params, "left": money(left, ctx.currency)})
    return Outcome(State.TRANSFER_AMOUNT, (reply,), dict(slots))


def handle_amount(conv: Conversation, text: str, ctx: Context) -> Outcome:
    return amount_given(ctx, conv.data, text)


def amount_given(ctx: Context, slots: Mapping[str, Any], text: str) -> Outcome:
    """The amount, and the account it goes from, settled together; then the summary."""
    own = slots.get("action") == OWN
    if not own and left_today(ctx) <= 0:  # also when a one-line request said the amount
        return Outcome(State.MAIN_MENU, (used_up(ctx),))
    amount, account, refused = check_payment(
        ctx,
        text,
        chosen=str(slots.get("from", "")),
        exclude=str(slots["to"]) if own else "",
        limited=not own,
    )
    if amount is None or account is None:
        assert refused is not None
        if refused.key == "transfer.source_gone":
            return Outcome(State.MAIN_MENU, (refused,))
        return Outcome(State.TRANSFER_AMOUNT, (refused,), dict(slots))
    marks = summary_marks(ctx, amount)
    return MOVEMENT.summary(ctx, {**slots, "from": account.number, **marks})


# --- the summary, yes, step-up, the bank: the shared movement sub-flow ---


def _summary_key(slots: Mapping[str, Any]) -> str:
    return "transfer.summary_hold" if slots.get("hold") else "transfer.summary"


def _payee(ctx: Context, slots: Mapping[str, Any]) -> str:
    return str(slots["payee"])  # as the customer chose it: "Chidi Okeke (Access ••4321)"


def _challenge(ctx: Context, slots: Mapping[str, Any]) -> StepUpRequest:
    return StepUpRequest(
        action=str(slots["action"]),
        amount=str(slots["amount"]),
        currency=ctx.currency,
        payee=str(slots["payee"]),
        account=str(slots["from"]),
        force=bool(slots.get("new")),  # a new payee's first transfer: always challenged
        destination=f"{slots['bank']}:{slots['to']}",
    )


def _request(ctx: Context, slots: Mapping[str, Any]) -> TransferRequest:
    assert ctx.customer is not None
    return TransferRequest(
        idempotency_key=idempotency_key(ctx.customer.msisdn, slots, "from", "to", "bank", "amount"),
        from_account=str(slots["from"]),
        to_account=str(slots["to"]),
        to_bank_code=str(slots["bank"]),
        amount=Decimal(str(slots["amount"])),
        narration=f"WhatsApp transfer to {slots.get('holder') or slots['payee']}"[:100],
        customer_id=ctx.customer.customer_id,
        daily_cap=daily_cap(ctx),
    )


def _move(ctx: Context, request: TransferRequest, slots: Mapping[str, Any]) -> Moved:
    """A mobile number with no wallet: the money is held for a claim; otherwise it moves."""
    if slots.get("hold"):
        expires = ctx.now + timedelta(days=CLAIM_DAYS)
        return Moved(*ctx.bank.hold_for_mobile(request, str(slots["to"]), expires))
    return Moved(ctx.bank.transfer(request))


def _done(
    ctx: Context, slots: Mapping[str, Any], moved: Moved, params: Mapping[str, str]
) -> Outcome:
    if moved.claim is not None:
        until = {**params, "until": short_date(moved.claim.expires_at, ctx.zone)}
        return receipt("transfer.held", until, moved, NotifyClaim(moved.claim.claim_id))
    if slots.get("new") and not slots.get("mobile"):  # a new account payee: keep them?
        done = Reply("transfer.done", dict(params))
        save = yes_no("transfer.ask_save", {"name": str(slots.get("holder", ""))})
        effects = (SendReceipt(moved.result.txn_id),)
        return Outcome(State.TRANSFER_SAVE, (done, save), dict(slots), effects=effects)
    return receipt("transfer.done", params, moved)


MOVEMENT = register(
    Movement(
        then="transfer.execute",
        confirm=State.TRANSFER_CONFIRM,
        summary_key=_summary_key,
        payee=_payee,
        challenge=_challenge,
        request=_request,
        done=_done,
        move=_move,
    )
)


def handle_save(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """After a new payee's first transfer: keep them for next time?"""
    if text in YES:
        name = str(conv.data["holder"])
        save = SavePayee(name, str(conv.data["bank"]), str(conv.data["to"]))
        return Outcome(State.MAIN_MENU, (Reply("transfer.saved", {"name": name}),), effects=(save,))
    if text in NO:
        return Outcome(State.MAIN_MENU, (Reply("transfer.not_saved"), Reply("menu.hint")))
    return Outcome(State.TRANSFER_SAVE, (yes_no("fallback.transfer_save"),), conv.data)


def ask_save(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = yes_no("transfer.ask_save", {"name": str(slots.get("holder", ""))})
    return Outcome(State.TRANSFER_SAVE, (reply,), dict(slots))
