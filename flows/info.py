"""Information flows that need no login: security tips, and "Contact us" with its sub-menu."""

from __future__ import annotations

from flows.conversation import Conversation
from flows.moving import numbered
from flows.responses import CONTACT_LABELS, contact_label
from flows.states import State
from flows.types import Context, Outcome, Reply

_CONTACT_CHOICES: dict[str, str] = {
    "1": "contact.call",
    "call": "contact.call",
    "call us": "contact.call",
    "2": "contact.fraud",
    "fraud": "contact.fraud",
    "lost phone": "contact.fraud",
    "report fraud": "contact.fraud",
    "3": "contact.branch",
    "branch": "contact.branch",
    "branches": "contact.branch",
}


def start_tips(ctx: Context) -> Outcome:
    return Outcome(State.MAIN_MENU, (Reply("tips"), Reply("menu.hint")))


def start_contact(ctx: Context) -> Outcome:
    labels = [contact_label(key) for key in CONTACT_LABELS]
    return Outcome(State.CONTACT_MENU, (numbered("contact.menu", labels),))


# When the bank's seed gives no number: where every customer can find one.
ON_THE_CARD = "the number on the back of your card"


def handle_contact(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """CONTACT_MENU: one of three answers, then back to the main menu. The numbers and the
    branches are the bank's own (its seed's ``contacts`` and ``branches``)."""
    key = _CONTACT_CHOICES.get(text)
    if key is None:
        return Outcome(State.CONTACT_MENU, (Reply("fallback.contact_menu"),))
    return Outcome(State.MAIN_MENU, (contact_reply(ctx, key), Reply("menu.hint")))


def contact_reply(ctx: Context, key: str) -> Reply:
    profile = ctx.bank.profile()
    if key == "contact.call":
        return Reply(key, {"phone": profile.phone or ON_THE_CARD})
    if key == "contact.fraud":
        return Reply(key, {"phone": profile.fraud_phone or profile.phone or ON_THE_CARD})
    if not profile.branches:
        return Reply("contact.no_branches")
    lines = "\n".join(f"• {b.name}: {b.address}" for b in profile.branches)
    return Reply("contact.branch", {"branches": lines})
