"""The conversation engine: global words first, then the current state's handler.

``handle`` is the only entry point the edge calls. It is pure: same conversation, message and
context in, same Outcome out. Anything it does not understand gets a helpful reply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from flows import info, menu
from flows.conversation import Conversation
from flows.router import GlobalWord, global_word, normalize
from flows.states import State
from flows.types import Context, Inbound, Outcome, Reply

Handler = Callable[[Conversation, str, Context], Outcome]

# State → the handler that reads the customer's next message in that state.
HANDLERS: dict[State, Handler] = {
    State.MAIN_MENU: menu.handle,
    State.CONTACT_MENU: info.handle_contact,
}


def handle(conv: Conversation, msg: Inbound, ctx: Context, idle: timedelta) -> Outcome:
    """Route one inbound message and say what happens next."""
    if ctx.customer is None:
        return Outcome(State.MAIN_MENU, (Reply("directory.unknown_number"),), persist=False)
    notes: tuple[Reply, ...] = ()
    if conv.is_idle(ctx.now, idle):
        if conv.state is not State.MAIN_MENU:
            notes += (Reply("idle.reset"),)
        conv = Conversation()  # an idle conversation starts over, as if new
    if msg.has_media:
        notes += (Reply("media.unsupported"),)
    text = normalize(msg.text)
    if not text:
        if msg.has_media:
            return Outcome(conv.state, notes, conv.data)
        return Outcome(conv.state, (*notes, Reply("empty.message")), conv.data)
    word = global_word(text)
    outcome = _global(word, conv, ctx) if word else HANDLERS[conv.state](conv, text, ctx)
    return replace(outcome, replies=(*notes, *outcome.replies))


def _global(word: GlobalWord, conv: Conversation, ctx: Context) -> Outcome:
    if word is GlobalWord.MENU:
        return menu.welcome(ctx)
    if word is GlobalWord.HELP:
        return Outcome(conv.state, (Reply(f"help.{conv.state.value}"),), conv.data)
    if word is GlobalWord.CANCEL:
        if conv.state is State.MAIN_MENU:
            return Outcome(State.MAIN_MENU, (Reply("cancel.nothing"), Reply("menu.hint")))
        return Outcome(State.MAIN_MENU, (Reply("cancel.done"), *menu.show(ctx).replies))
    return Outcome(State.MAIN_MENU, (Reply("logout.none"),))
