"""The money-movement sub-flow every payment shares: the summary → an explicit ``yes`` → the
step-up the MFA scenarios require → the bank moves the money once, with an idempotency key
derived from this confirmation → refused (nothing moved) / already done (a repeated ``yes``) /
done, with a receipt effect.

A flow describes its movement once, as a ``Movement``: what the summary calls the payee, what
the challenge is bound to, the request to the bank and which bank call makes it, and what
follows a success (the done reply, extra effects, a next question such as "save this payee?").
Transfers, payments to a mobile number and bill payments differ only there. ``register`` files
``execute`` under the movement's continuation name; those names (``transfer.execute``,
``bill.execute``) live in stored conversations, so they never change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from auth.ports import StepUpRequest
from bank.ports import BankError, Claim, TransferRequest, TransferResult
from flows import audit_trail, stepup
from flows.conversation import Conversation
from flows.effects import SendReceipt
from flows.format import money
from flows.matching import match
from flows.moving import (
    NO,
    YES,
    account_label,
    other_payers,
    refused,
    source,
    summary_marks,
    switch_words,
    yes_no,
)
from flows.naming import account_candidates
from flows.states import State
from flows.types import Context, Effect, Outcome, Reply

Slots = Mapping[str, Any]


@dataclass(frozen=True)
class Moved:
    """What the bank did: the movement, and the claim when the money is held for a mobile
    number that has no wallet yet."""

    result: TransferResult
    claim: Claim | None = None


def transfer_once(ctx: Context, request: TransferRequest, slots: Slots) -> Moved:
    """The usual bank call: move the money (once per idempotency key)."""
    return Moved(ctx.bank.transfer(request))


def receipt(key: str, params: Mapping[str, str], moved: Moved, *more: Effect) -> Outcome:
    """Done: say so (``key``) with the menu hint, and send the receipt (with ``more``)."""
    effects = (SendReceipt(moved.result.txn_id), *more)
    return Outcome(State.MAIN_MENU, (Reply(key, dict(params)), Reply("menu.hint")), effects=effects)


@dataclass(frozen=True)
class Movement:
    """One kind of money movement: the parts that differ; the steps are the methods."""

    then: str  # the continuation name, stored in conversations: never rename one
    confirm: State  # the summary's state; its fallback reply is ``fallback.<state>``
    summary_key: Callable[[Slots], str]  # the summary's reply key
    payee: Callable[[Context, Slots], str]  # where the money goes, as the customer sees it
    challenge: Callable[[Context, Slots], StepUpRequest]  # what the step-up is bound to
    request: Callable[[Context, Slots], TransferRequest]  # the bank request, keyed once
    # After a success (not a replay): the reply, its effects, what comes next. ``params`` hold
    # the amount moved, the payee and the bank's reference.
    done: Callable[[Context, Slots, Moved, Mapping[str, str]], Outcome]
    move: Callable[[Context, TransferRequest, Slots], Moved] = transfer_once  # the bank call

    def summary(self, ctx: Context, slots: Slots) -> Outcome:
        """The summary to say yes or no to (also how it is asked again after a login)."""
        account = source(ctx, str(slots["from"]))
        if account is None:
            return Outcome(State.MAIN_MENU, (Reply("transfer.source_gone"),))
        params = {
            "amount": money(Decimal(str(slots["amount"])), ctx.currency),
            "payee": self.payee(ctx, slots),
            "source": account_label(account),
        }
        replies = [yes_no(self.summary_key(slots), params)]
        others = other_payers(ctx, slots, exclude=str(slots.get("to", "")))
        if others:  # the source was picked for the customer: say how to pick another
            replies.append(Reply("movement.other_source", {"choices": switch_words(others)}))
        return Outcome(self.confirm, tuple(replies), dict(slots))

    def handle_confirm(self, conv: Conversation, text: str, ctx: Context) -> Outcome:
        """The summary's state: ``no`` cancels, ``yes`` goes to the step-up, ``from current``
        (another account that can pay) shows the summary again from there."""
        if text in NO:
            return Outcome(State.MAIN_MENU, (Reply("cancel.done"), Reply("menu.hint")))
        if text not in YES:
            switched = self._switch(ctx, conv.data, text)
            if switched is not None:
                return switched
            return Outcome(self.confirm, (yes_no(f"fallback.{self.confirm.value}"),), conv.data)
        data = dict(conv.data)
        return stepup.require(ctx, self.challenge(ctx, data), self.then, data)

    def _switch(self, ctx: Context, slots: Slots, text: str) -> Outcome | None:
        """``from savings`` / ``from 6790`` at the summary: the same payment from there (a new
        summary, so a new confirmation key)."""
        others = other_payers(ctx, slots, exclude=str(slots.get("to", "")))
        words = text.removeprefix("from ").strip()
        found = match(words, account_candidates(others)) if others and words else None
        if found is None or found.unique is None:
            return None
        amount = Decimal(str(slots["amount"]))
        return self.summary(ctx, {**slots, "from": found.unique.id, **summary_marks(ctx, amount)})

    def execute(self, ctx: Context, slots: Slots) -> Outcome:
        """The step-up passed (or wasn't needed): move the money, once. Every answer the bank
        gives is audited (``audit_trail``), first among the outcome's effects."""
        request = self.request(ctx, slots)
        try:
            moved = self.move(ctx, request, slots)
        except BankError as exc:
            entry = audit_trail.movement(request, slots, ctx.currency, refused=exc)
            return Outcome(State.MAIN_MENU, refused(exc, ctx), effects=(entry,))
        done = moved.result
        entry = audit_trail.movement(request, slots, ctx.currency, done=done)
        params = {
            "amount": money(done.amount, ctx.currency),
            "payee": self.payee(ctx, slots),
            "reference": done.reference,
        }
        if done.replayed:  # the same confirmation again: the first result, nothing moved
            reply = Reply("transfer.already_done", params)
            return Outcome(State.MAIN_MENU, (reply,), effects=(entry,))
        outcome = self.done(ctx, slots, moved, params)
        return replace(outcome, effects=(entry, *outcome.effects))


def register(movement: Movement) -> Movement:
    """File the movement's ``execute`` as the step-up continuation it names."""
    stepup.continuation(movement.then)(movement.execute)
    return movement
