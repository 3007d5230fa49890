"""Transfers: from one of the customer's accounts to another of theirs, to a saved payee (this
bank or another), or to a new payee found by name enquiry and confirmed by the customer.

Also to a mobile number (P2P_CREATE): a wallet is paid, otherwise the money is held for a claim.

This module collects (from, to whom, how much, with the limits checked: the reply says what's
left today); the rest is the movement sub-flow every payment shares (``flows.movement``):
summary → explicit ``yes`` → the step-up the MFA scenarios require (a new payee's first
transfer always) → the bank, once per confirmation → the reference → a receipt effect. What is
particular to transfers is given to it here: the hold for a mobile number, the claim text, and
"save this payee?" after a new account payee's first transfer (``SavePayee`` on yes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from auth.ports import StepUpRequest
from bank.ports import P2P_HOLD_CODE, TransferRequest
from flows.conversation import Conversation
from flows.effects import NotifyClaim, SavePayee, SendReceipt
from flows.format import e164, money, short_date
from flows.movement import Moved, Movement, receipt, register
from flows.moving import (
    NO,
    YES,
    account_label,
    check_amount,
    choices,
    daily_cap,
    idempotency_key,
    left_today,
    pick,
    source,
    sources,
    summary_marks,
)
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.masking import mask_account, mask_phone

ACCOUNT_DIGITS = 10

OWN = "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE"
P2P = "P2P_CREATE"
CLAIM_DAYS = 7
INTRA = "INTRA_BANK_FUND_TRANSFER_CREATE"
INTER = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"


# --- from which account ---


def start(ctx: Context) -> Outcome:
    """The ``transfer`` intent (secured by the menu)."""
    accounts = sources(ctx)
    if not accounts:
        return Outcome(State.MAIN_MENU, (Reply("transfer.no_accounts"),))
    if len(accounts) == 1:
        return ask_payee(ctx, {"from": accounts[0].number})
    return ask_source(ctx, {})


def ask_source(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    labels = [f"{account_label(a)} ({money(a.balance, a.currency)})" for a in sources(ctx)]
    reply = Reply("transfer.choose_source", {"choices": choices(labels)})
    return Outcome(State.TRANSFER_SOURCE, (reply,), dict(slots))


def handle_source(conv: Conversation, text: str, ctx: Context) -> Outcome:
    accounts = sources(ctx)
    index = pick(text, len(accounts))
    if index is None:
        labels = [account_label(a) for a in accounts]
        reply = Reply("fallback.transfer_source", {"choices": choices(labels)})
        return Outcome(State.TRANSFER_SOURCE, (reply,), conv.data)
    return ask_payee(ctx, {**conv.data, "from": accounts[index].number})


# --- to whom ---


def _targets(ctx: Context, source: str) -> list[dict[str, Any]]:
    """Own accounts (not the source), saved payees, then a new payee; each a slot update."""
    assert ctx.customer is not None
    own_code = ctx.bank.profile().code
    banks = {b.code: b.name for b in ctx.bank.other_banks()}
    targets: list[dict[str, Any]] = [
        {
            "to": a.number,
            "bank": own_code,
            "payee": f"your {account_label(a)}",
            "action": OWN,
        }
        for a in sources(ctx)
        if a.number != source
    ]
    for p in ctx.bank.payees(ctx.customer.customer_id):
        where = "" if p.bank_code == own_code else f"{banks.get(p.bank_code, p.bank_code)} "
        targets.append(
            {
                "to": p.account_number,
                "bank": p.bank_code,
                "payee": f"{p.name} ({where}{mask_account(p.account_number)})",
                "action": INTRA if p.bank_code == own_code else INTER,
            }
        )
    return targets


EXTRA = ["New payee", "A mobile number"]
MOBILE_WORDS = frozenset({"mobile", "mobile number", "phone", "phone number", "a mobile number"})


def ask_payee(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    labels = [t["payee"] for t in _targets(ctx, str(slots["from"]))] + EXTRA
    reply = Reply("transfer.choose_payee", {"choices": choices(labels)})
    return Outcome(State.TRANSFER_PAYEE, (reply,), dict(slots))


def handle_payee(conv: Conversation, text: str, ctx: Context) -> Outcome:
    targets = _targets(ctx, str(conv.data["from"]))
    index = pick(text, len(targets) + len(EXTRA))
    if index is None and text in ("new", "new payee", "someone new"):
        index = len(targets)
    if index is None and text in MOBILE_WORDS:
        index = len(targets) + 1
    if index is None:
        labels = [t["payee"] for t in targets] + EXTRA
        reply = Reply("fallback.transfer_payee", {"choices": choices(labels)})
        return Outcome(State.TRANSFER_PAYEE, (reply,), conv.data)
    if index == len(targets):
        return ask_bank(ctx, conv.data)
    if index == len(targets) + 1:
        return ask_mobile(ctx, conv.data)
    return ask_amount(ctx, {**conv.data, **targets[index], "new": False})


# --- a mobile number (P2P_CREATE): a wallet is paid; otherwise the money is held for a claim ---


def ask_mobile(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    return Outcome(State.TRANSFER_MOBILE, (Reply("transfer.ask_mobile"),), dict(slots))


def handle_mobile(conv: Conversation, text: str, ctx: Context) -> Outcome:
    assert ctx.customer is not None
    msisdn = e164(text, like=ctx.customer.msisdn)
    if msisdn is None:
        return Outcome(State.TRANSFER_MOBILE, (Reply("fallback.transfer_mobile"),), conv.data)
    if msisdn == ctx.customer.msisdn:
        return Outcome(State.TRANSFER_MOBILE, (Reply("transfer.own_mobile"),), conv.data)
    wallet = ctx.bank.wallet_of(msisdn)
    slots = {**conv.data, "action": P2P, "new": True, "mobile": msisdn}
    if wallet is None:
        held = {"to": msisdn, "bank": P2P_HOLD_CODE, "payee": mask_phone(msisdn), "hold": True}
        return ask_amount(ctx, {**slots, **held})
    owner = ctx.bank.customer(wallet.customer_id)
    name = owner.name if owner else ""
    payee = f"{name} (wallet {mask_phone(msisdn)})".strip()
    own_code = ctx.bank.profile().code
    return ask_amount(ctx, {**slots, "to": wallet.number, "bank": own_code, "payee": payee})


# --- a new payee: bank, account number, the name to confirm ---


def _banks(ctx: Context) -> list[tuple[str, str]]:
    profile = ctx.bank.profile()
    others = [(b.code, b.name) for b in ctx.bank.other_banks()]
    return [(profile.code, profile.name), *sorted(others, key=lambda b: b[1])]


def ask_bank(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = Reply("transfer.choose_bank", {"choices": choices([n for _, n in _banks(ctx)])})
    return Outcome(State.TRANSFER_BANK, (reply,), dict(slots))


def handle_bank(conv: Conversation, text: str, ctx: Context) -> Outcome:
    banks = _banks(ctx)
    index = pick(text, len(banks))
    if index is None:
        reply = Reply("fallback.transfer_bank", {"choices": choices([n for _, n in banks])})
        return Outcome(State.TRANSFER_BANK, (reply,), conv.data)
    code, name = banks[index]
    data = {**conv.data, "bank": code, "bank_name": name}
    return Outcome(
        State.TRANSFER_ACCOUNT, (Reply("transfer.ask_account", {"bank_name": name}),), data
    )


def handle_account(conv: Conversation, text: str, ctx: Context) -> Outcome:
    number = text.replace(" ", "").replace("-", "")
    if not (number.isascii() and number.isdigit() and len(number) == ACCOUNT_DIGITS):
        return Outcome(State.TRANSFER_ACCOUNT, (Reply("fallback.transfer_account"),), conv.data)
    assert ctx.customer is not None
    code = str(conv.data["bank"])
    own = {a.number for a in sources(ctx)} if code == ctx.bank.profile().code else set()
    if number in own:
        return Outcome(State.TRANSFER_ACCOUNT, (Reply("transfer.own_account_as_new"),), conv.data)
    name = ctx.bank.account_name(code, number)
    params = {"masked": mask_account(number), "bank_name": str(conv.data.get("bank_name", ""))}
    if name is None:
        return Outcome(
            State.TRANSFER_ACCOUNT, (Reply("transfer.account_not_found", params),), conv.data
        )
    data = {**conv.data, "to": number, "holder": name}
    return Outcome(
        State.TRANSFER_NAME, (Reply("transfer.confirm_name", {**params, "name": name}),), data
    )


def handle_name(conv: Conversation, text: str, ctx: Context) -> Outcome:
    if text in NO:
        bank_name = str(conv.data.get("bank_name", ""))
        reply = Reply("transfer.ask_account_again", {"bank_name": bank_name})
        return Outcome(State.TRANSFER_ACCOUNT, (reply,), conv.data)
    if text not in YES:
        return Outcome(State.TRANSFER_NAME, (Reply("fallback.transfer_name"),), conv.data)
    own_code = ctx.bank.profile().code
    code, number = str(conv.data["bank"]), str(conv.data["to"])
    where = "" if code == own_code else f"{conv.data.get('bank_name', '')} "
    payee = f"{conv.data['holder']} ({where}{mask_account(number)})"
    action = INTRA if code == own_code else INTER
    return ask_amount(ctx, {**conv.data, "payee": payee, "action": action, "new": True})


# --- how much ---


def ask_amount(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    left = None if slots.get("action") == OWN else left_today(ctx)
    if left is not None and left <= 0:
        return Outcome(State.MAIN_MENU, (Reply("transfer.limit_used_up"),))
    params = {"currency": ctx.currency, "payee": str(slots["payee"])}
    if left is None:
        reply = Reply("transfer.ask_amount", params)
    else:
        reply = Reply("transfer.ask_amount_left", {**params, "left": money(left, ctx.currency)})
    return Outcome(State.TRANSFER_AMOUNT, (reply,), dict(slots))


def handle_amount(conv: Conversation, text: str, ctx: Context) -> Outcome:
    account = source(ctx, str(conv.data["from"]))
    if account is None:
        return Outcome(State.MAIN_MENU, (Reply("transfer.source_gone"),))
    amount, refused = check_amount(ctx, text, account, limited=conv.data.get("action") != OWN)
    if amount is None:
        assert refused is not None
        return Outcome(State.TRANSFER_AMOUNT, (refused,), conv.data)
    return MOVEMENT.summary(ctx, {**conv.data, **summary_marks(ctx, amount)})


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
        save = Reply("transfer.ask_save", {"name": str(slots.get("holder", ""))})
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
    return Outcome(State.TRANSFER_SAVE, (Reply("fallback.transfer_save"),), conv.data)


def ask_account(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = Reply("transfer.ask_account", {"bank_name": str(slots.get("bank_name", ""))})
    return Outcome(State.TRANSFER_ACCOUNT, (reply,), dict(slots))


def ask_name(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    params = {
        "masked": mask_account(str(slots["to"])),
        "bank_name": str(slots.get("bank_name", "")),
        "name": str(slots["holder"]),
    }
    return Outcome(State.TRANSFER_NAME, (Reply("transfer.confirm_name", params),), dict(slots))


def ask_save(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = Reply("transfer.ask_save", {"name": str(slots.get("holder", ""))})
    return Outcome(State.TRANSFER_SAVE, (reply,), dict(slots))


# Secured state → its handler, and how to ask its question again after a login interrupted it.
HANDLERS = {
    State.TRANSFER_SOURCE: handle_source,
    State.TRANSFER_PAYEE: handle_payee,
    State.TRANSFER_BANK: handle_bank,
    State.TRANSFER_ACCOUNT: handle_account,
    State.TRANSFER_MOBILE: handle_mobile,
    State.TRANSFER_NAME: handle_name,
    State.TRANSFER_AMOUNT: handle_amount,
    State.TRANSFER_CONFIRM: MOVEMENT.handle_confirm,
    State.TRANSFER_SAVE: handle_save,
}
PROMPTS = {
    State.TRANSFER_SOURCE: ask_source,
    State.TRANSFER_PAYEE: ask_payee,
    State.TRANSFER_BANK: ask_bank,
    State.TRANSFER_ACCOUNT: ask_account,
    State.TRANSFER_MOBILE: ask_mobile,
    State.TRANSFER_NAME: ask_name,
    State.TRANSFER_AMOUNT: ask_amount,
    State.TRANSFER_CONFIRM: MOVEMENT.summary,
    State.TRANSFER_SAVE: ask_save,
}
