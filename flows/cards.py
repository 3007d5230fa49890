"""Cards: see each card (masked, with its status) and lock, unlock, activate, replace (with a
reason), cancel it (asked twice) or change its PIN on a secure page (never in the chat). Each
change goes through its MFA scenario's step-up (CARD_MANAGEMENT_*), then the bank. Card numbers
are only ever shown masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from auth.ports import LinkRefused, StepUpRequest
from bank.ports import Card, CardRefused
from flows import stepup
from flows.conversation import Conversation
from flows.effects import RecordMovement
from flows.moving import NO, YES, numbered, pick, yes_no
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging.languages import text
from messaging.masking import mask_card

# action → the MFA scenario action it runs under
SCENARIO = {
    "lock": "CARD_MANAGEMENT_LOCK_CARD",
    "unlock": "CARD_MANAGEMENT_UNLOCK_CARD",
    "activate": "CARD_MANAGEMENT_ACTIVATE_CARD",
    "replace": "CARD_MANAGEMENT_REPLACE_CARD",
    "cancel": "CARD_MANAGEMENT_CANCEL_CARD",
    "change_pin": "CARD_MANAGEMENT_CHANGE_PIN",
}
# what may be done to a card in each status, in the order offered
OFFERED = {
    "active": ("lock", "change_pin", "replace", "cancel"),
    "locked": ("unlock", "replace", "cancel"),
    "inactive": ("activate", "replace", "cancel"),
    "cancelled": (),
}
LABELS = {
    "lock": "Lock it (you can unlock it later)",
    "unlock": "Unlock it",
    "activate": "Activate it",
    "replace": "Replace it (lost, stolen or damaged)",
    "cancel": "Cancel it for good",
    "change_pin": "Change its PIN (on a secure page)",
}
REASONS = ("lost", "stolen", "damaged")
CARD = "Card"  # these labels are translated in locales/ as card.*, card_action.* (app.languages)


def _cards(ctx: Context) -> list[Card]:
    assert ctx.customer is not None
    return list(ctx.bank.cards(ctx.customer.customer_id))


def _label(card: Card) -> str:
    status = text(f"card_status.{card.status}", card.status)
    return f"{text('card.label', CARD)} {mask_card(card.pan)} · {status}"


def _action(action: str) -> str:
    return text(f"card_action.{action}", LABELS[action])


def _reasons() -> list[str]:
    return [text(f"card_reason.{r}", r.title()) for r in REASONS]


def start(ctx: Context) -> Outcome:
    """The ``cards`` intent (secured by the menu)."""
    cards = _cards(ctx)
    if not cards:
        return Outcome(State.MAIN_MENU, (Reply("cards.none"),))
    if len(cards) == 1:
        return ask_action(ctx, {"card": cards[0].card_id})
    return ask_card(ctx, {})


def by_last4(ctx: Context, last4: str, action: str) -> Outcome:
    """``lock card 4242``: that card, straight to the action's step-up when the card's status
    allows it; otherwise the card's own choices (or the list, when no card ends so)."""
    cards = _cards(ctx)
    if not cards:
        return Outcome(State.MAIN_MENU, (Reply("cards.none"),))
    found = [c for c in cards if c.pan.endswith(last4)] if last4 else cards
    if len(found) != 1:
        note = (Reply("cards.not_found", {"last4": last4}),) if last4 and not found else ()
        listed = ask_card(ctx, {})
        return Outcome(listed.state, (*note, *listed.replies), listed.data)
    card = found[0]
    if action not in OFFERED.get(card.status, ()):
        return ask_action(ctx, {"card": card.card_id})
    return _challenge(ctx, card, {"card": card.card_id, "action": action})


def ask_card(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    labels = [_label(c) for c in _cards(ctx)]
    return Outcome(State.CARDS_LIST, (numbered("cards.list", labels),), {})


def handle_card(conv: Conversation, text: str, ctx: Context) -> Outcome:
    cards = _cards(ctx)
    index = pick(text, len(cards))
    if index is None:
        reply = numbered("fallback.cards_list", [_label(c) for c in cards])
        return Outcome(State.CARDS_LIST, (reply,), conv.data)
    return ask_action(ctx, {"card": cards[index].card_id})


def _card(ctx: Context, slots: Mapping[str, Any]) -> Card | None:
    return next((c for c in _cards(ctx) if c.card_id == slots.get("card")), None)


def ask_action(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    card = _card(ctx, slots)
    if card is None:
        return Outcome(State.MAIN_MENU, (Reply("cards.gone"),))
    offered = OFFERED.get(card.status, ())
    if not offered:
        return Outcome(State.MAIN_MENU, (Reply("cards.cancelled", {"card": mask_card(card.pan)}),))
    reply = numbered("cards.actions", [_action(a) for a in offered], {"card": _label(card)})
    return Outcome(State.CARD_ACTION, (reply,), dict(slots))


def handle_action(conv: Conversation, text: str, ctx: Context) -> Outcome:
    card = _card(ctx, conv.data)
    if card is None:
        return Outcome(State.MAIN_MENU, (Reply("cards.gone"),))
    offered = OFFERED.get(card.status, ())
    index = pick(text, len(offered))
    if index is None:
        index = next((n for n, a in enumerate(offered) if a == text), None)
    if index is None:
        reply = numbered("fallback.card_action", [_action(a) for a in offered])
        return Outcome(State.CARD_ACTION, (reply,), conv.data)
    action = offered[index]
    slots = {**conv.data, "action": action}
    if action == "replace":
        return ask_reason(ctx, slots)
    if action == "cancel":
        return ask_cancel(ctx, slots)
    return _challenge(ctx, card, slots)


def ask_reason(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    reply = numbered("cards.ask_reason", _reasons())
    return Outcome(State.CARD_REPLACE_REASON, (reply,), dict(slots))


def handle_reason(conv: Conversation, text: str, ctx: Context) -> Outcome:
    index = pick(text, len(REASONS))
    if index is None and text in REASONS:
        index = REASONS.index(text)
    if index is None:
        reply = numbered("fallback.card_replace_reason", _reasons())
        return Outcome(State.CARD_REPLACE_REASON, (reply,), conv.data)
    card = _card(ctx, conv.data)
    if card is None:
        return Outcome(State.MAIN_MENU, (Reply("cards.gone"),))
    return _challenge(ctx, card, {**conv.data, "reason": REASONS[index]})


def ask_cancel(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    card = _card(ctx, slots)
    if card is None:
        return Outcome(State.MAIN_MENU, (Reply("cards.gone"),))
    asked = int(slots.get("asked", 0))
    key = "cards.cancel_sure" if asked else "cards.cancel_first"
    data = {**slots, "asked": asked}
    return Outcome(State.CARD_CANCEL_CONFIRM, (yes_no(key, {"card": mask_card(card.pan)}),), data)


def handle_cancel(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """Cancelling can't be undone, so it is asked twice."""
    if text in NO:
        return Outcome(State.MAIN_MENU, (Reply("cards.kept"), Reply("menu.hint")))
    if text not in YES:
        return Outcome(
            State.CARD_CANCEL_CONFIRM, (yes_no("fallback.card_cancel_confirm"),), conv.data
        )
    if not conv.data.get("asked"):
        return ask_cancel(ctx, {**conv.data, "asked": 1})
    card = _card(ctx, conv.data)
    if card is None:
        return Outcome(State.MAIN_MENU, (Reply("cards.gone"),))
    return _challenge(ctx, card, dict(conv.data))


def _challenge(ctx: Context, card: Card, slots: Mapping[str, Any]) -> Outcome:
    action = str(slots["action"])
    request = StepUpRequest(
        action=SCENARIO[action], payee=mask_card(card.pan), account=card.card_id
    )
    return stepup.require(ctx, request, "cards.execute", slots)


@stepup.continuation("cards.execute")
def execute(ctx: Context, slots: Mapping[str, Any]) -> Outcome:
    """The step-up passed (or wasn't needed): make the change."""
    assert ctx.customer is not None
    action = str(slots["action"])
    if action == "change_pin":
        return _pin_link(ctx, str(slots["card"]))
    event = f"card.{action}"
    try:
        card, new = ctx.bank.change_card(ctx.customer.customer_id, str(slots["card"]), action)
    except CardRefused as exc:
        reply = Reply("cards.refused", {"status": exc.status})
        known = _card(ctx, slots)
        shown = mask_card(known.pan) if known is not None else ""
        entry = RecordMovement(event, "refused", reason=f"card_{exc.status}", card=shown)
        return Outcome(State.MAIN_MENU, (reply, Reply("menu.hint")), effects=(entry,))
    params = {"card": mask_card(card.pan)}
    entry = RecordMovement(event, "success", card=mask_card(card.pan))
    if new is not None:
        params |= {"new": mask_card(new.pan), "reason": str(slots.get("reason", ""))}
        entry = replace(entry, new_card=mask_card(new.pan), reason=str(slots.get("reason", "")))
    replies = (Reply(f"cards.done_{action}", params), Reply("menu.hint"))
    return Outcome(State.MAIN_MENU, replies, effects=(entry,))


def _pin_link(ctx: Context, card_id: str) -> Outcome:
    assert ctx.customer is not None
    try:
        link = ctx.identity.card_pin_link(ctx.customer.msisdn, ctx.customer.customer_id, card_id)
    except LinkRefused as exc:
        minutes = str(max(1, -(-exc.retry_after_s // 60)))
        return Outcome(State.MAIN_MENU, (Reply("auth.too_many_links", {"minutes": minutes}),))
    reply = Reply("cards.pin_link", {"url": link.url, "minutes": str(link.minutes)})
    return Outcome(State.MAIN_MENU, (reply,))


HANDLERS = {
    State.CARDS_LIST: handle_card,
    State.CARD_ACTION: handle_action,
    State.CARD_REPLACE_REASON: handle_reason,
    State.CARD_CANCEL_CONFIRM: handle_cancel,
}
PROMPTS = {
    State.CARDS_LIST: ask_card,
    State.CARD_ACTION: ask_action,
    State.CARD_REPLACE_REASON: ask_reason,
    State.CARD_CANCEL_CONFIRM: ask_cancel,
}
