"""Transfers: from one of the customer's accounts to another of theirs, to a saved payee (this
bank or another), or to a new payee found by name enquiry and confirmed by the customer.

Also to a mobile number (P2P_CREATE): a wallet is paid, otherwise the money is held for a claim.

This module finds to whom (a saved payee, one of the customer's own accounts, a new payee by
name enquiry, a mobile number); ``flows.transfer_money`` takes it from the amount: the account
it leaves from, the summary, ``yes``, the step-up the MFA scenarios require (a new payee's first
transfer always), the bank once per confirmation, the reference and the receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bank.ports import P2P_HOLD_CODE
from flows.conversation import Conversation
from flows.format import e164, money
from flows.moving import (
    NO,
    YES,
    account_label,
    lookup_refused,
    numbered,
    pick,
    sources,
    yes_no,
)
from flows.states import State
from flows.transfer_money import (
    INTER,
    INTRA,
    MOVEMENT,
    OWN,
    P2P,
    ask_amount,
    ask_save,
    handle_amount,
    handle_save,
)
from flows.types import Context, Outcome, Reply
from messaging.languages import text
from messaging.masking import mask_account, mask_name, mask_phone

ACCOUNT_DIGITS = 10


# --- from which account ---


def start(ctx: Context) -> Outcome:
    """The ``transfer`` intent (secured by the menu): to whom first; the account it goes from
    is settled with the amount (``moving.check_payment``), and the summary offers the others."""
    if not sources(ctx):
        return Outcome(State.MAIN_MENU, (Reply("transfer.no_accounts"),))
    return ask_payee(ctx, {})


def ask_source(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    labels = [f"{account_label(a)} ({money(a.balance, a.currency)})" for a in sources(ctx)]
    reply = numbered("transfer.choose_source", labels)
    return Outcome(State.TRANSFER_SOURCE, (reply,), dict(slots))


def handle_source(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """TRANSFER_SOURCE: asked only when a request names an account that several match."""
    accounts = sources(ctx)
    index = pick(text, len(accounts))
    if index is None:
        labels = [account_label(a) for a in accounts]
        reply = numbered("fallback.transfer_source", labels)
        return Outcome(State.TRANSFER_SOURCE, (reply,), conv.data)
    slots = {**conv.data, "from": accounts[index].number}
    if "payee" not in slots:
        return ask_payee(ctx, slots)
    return ask_amount(ctx, slots)


# --- to whom ---


def targets(ctx: Context, source: str = "") -> list[dict[str, Any]]:
    """The customer's own accounts (when there is more than one; not ``source``), then the
    saved payees in the order they were saved; each a slot update."""
    assert ctx.customer is not None
    own = sources(ctx)
    own_code = ctx.bank.profile().code
    banks = {b.code: b.name for b in ctx.bank.other_banks()}
    targets: list[dict[str, Any]] = [
        {
            "to": a.number,
            "bank": own_code,
            "payee": text("transfer_choice.own", OWN_LABEL).format(account=account_label(a)),
            "action": OWN,
            "match": f"{a.type} {a.number[-4:]}",  # how a request names it: "savings", "6790"
        }
        for a in own
        if a.number != source and len(own) > 1
    ]
    for p in ctx.bank.payees(ctx.customer.customer_id):
        where = "" if p.bank_code == own_code else f"{banks.get(p.bank_code, p.bank_code)} "
        targets.append(
            {
                "to": p.account_number,
                "bank": p.bank_code,
                "payee": f"{p.name} ({where}{mask_account(p.account_number)})",
                "action": INTRA if p.bank_code == own_code else INTER,
                "match": p.name,
            }
        )
    return targets


# First, so their numbers never shift when a payee is saved: 1 New payee, 2 A mobile number.
EXTRA = ["New payee", "A mobile number"]  # translated as transfer_choice.1, .2 (locales/)
OWN_LABEL = "your {account}"
NEW_WORDS = frozenset({"new", "new payee", "someone new"})
MOBILE_WORDS = frozenset({"mobile", "mobile number", "phone", "phone number", "a mobile number"})


def _payee_labels(targets: list[dict[str, Any]]) -> list[str]:
    extra = [text(f"transfer_choice.{n}", label) for n, label in enumerate(EXTRA, start=1)]
    return [*extra, *(t["payee"] for t in targets)]


def ask_payee(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    listed = targets(ctx, str(slots.get("from", "")))
    reply = numbered("transfer.choose_payee", _payee_labels(listed))
    return Outcome(State.TRANSFER_PAYEE, (reply,), dict(slots))


def handle_payee(conv: Conversation, text: str, ctx: Context) -> Outcome:
    listed = targets(ctx, str(conv.data.get("from", "")))
    index = pick(text, len(EXTRA) + len(listed))
    if index == 0 or (index is None and text in NEW_WORDS):
        return ask_bank(ctx, conv.data)
    if index == 1 or (index is None and text in MOBILE_WORDS):
        return ask_mobile(ctx, conv.data)
    if index is None:
        reply = numbered("fallback.transfer_payee", _payee_labels(listed))
        return Outcome(State.TRANSFER_PAYEE, (reply,), conv.data)
    return ask_amount(ctx, {**conv.data, **listed[index - len(EXTRA)], "new": False})


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
    refusal = lookup_refused(ctx, "wallet")
    if refusal is not None:
        return Outcome(State.TRANSFER_MOBILE, (refusal,), conv.data)
    wallet = ctx.bank.wallet_of(msisdn)
    slots = {**conv.data, "action": P2P, "new": True, "mobile": msisdn}
    if wallet is None:
        held = {"to": msisdn, "bank": P2P_HOLD_CODE, "payee": mask_phone(msisdn), "hold": True}
        return ask_amount(ctx, {**slots, **held})
    owner = ctx.bank.customer(wallet.customer_id)
    name = mask_name(owner.name) if owner else ""  # someone else's: never the full name
    payee = f"{name} (wallet {mask_phone(msisdn)})".strip()
    own_code = ctx.bank.profile().code
    return ask_amount(ctx, {**slots, "to": wallet.number, "bank": own_code, "payee": payee})


# --- a new payee: bank, account number, the name to confirm ---


def _banks(ctx: Context) -> list[tuple[str, str]]:
    profile = ctx.bank.profile()
    others = [(b.code, b.name) for b in ctx.bank.other_banks()]
    return [(profile.code, profile.name), *sorted(others, key=lambda b: b[1])]


def ask_bank(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = numbered("transfer.choose_bank", [n for _, n in _banks(ctx)])
    return Outcome(State.TRANSFER_BANK, (reply,), dict(slots))


def handle_bank(conv: Conversation, text: str, ctx: Context) -> Outcome:
    banks = _banks(ctx)
    index = pick(text, len(banks))
    if index is None:
        reply = numbered("fallback.transfer_bank", [n for _, n in banks])
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
    refusal = lookup_refused(ctx, "account_name")
    if refusal is not None:
        return Outcome(State.TRANSFER_ACCOUNT, (refusal,), conv.data)
    name = ctx.bank.account_name(code, number)
    params = {"masked": mask_account(number), "bank_name": str(conv.data.get("bank_name", ""))}
    if name is None:
        return Outcome(
            State.TRANSFER_ACCOUNT, (Reply("transfer.account_not_found", params),), conv.data
        )
    # The holder is confirmed at the summary, by a masked name and the last 4 digits.
    return ask_amount(ctx, _new_payee({**conv.data, "to": number, "holder": mask_name(name)}, ctx))


def _new_payee(slots: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    own_code = ctx.bank.profile().code
    code, number = str(slots["bank"]), str(slots["to"])
    where = "" if code == own_code else f"{slots.get('bank_name', '')} "
    payee = f"{slots['holder']} ({where}{mask_account(number)})"
    action = INTRA if code == own_code else INTER
    return {**slots, "payee": payee, "action": action, "new": True}


def handle_name(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """TRANSFER_NAME: only conversations stored before the summary confirmed the holder."""
    if text in NO:
        bank_name = str(conv.data.get("bank_name", ""))
        reply = Reply("transfer.ask_account_again", {"bank_name": bank_name})
        return Outcome(State.TRANSFER_ACCOUNT, (reply,), conv.data)
    if text not in YES:
        return Outcome(State.TRANSFER_NAME, (yes_no("fallback.transfer_name"),), conv.data)
    holder = mask_name(str(conv.data["holder"]))
    return ask_amount(ctx, _new_payee({**conv.data, "holder": holder}, ctx))


def ask_account(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = Reply("transfer.ask_account", {"bank_name": str(slots.get("bank_name", ""))})
    return Outcome(State.TRANSFER_ACCOUNT, (reply,), dict(slots))


def ask_name(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    params = {
        "masked": mask_account(str(slots["to"])),
        "bank_name": str(slots.get("bank_name", "")),
        "name": str(slots["holder"]),
    }
    return Outcome(State.TRANSFER_NAME, (yes_no("transfer.confirm_name", params),), dict(slots))


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
