"""The conversation engine: global words first, then the current state's handler.

``handle`` is the entry point for each inbound message; ``resume`` is called by the edge when a
secure page has logged the customer in, to carry on with the intent that was interrupted. Both
are pure: the ports in the Context are the only way out. Anything not understood gets a helpful
reply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from auth.ports import Status
from flows import (
    accounts,
    bills,
    cards,
    documents,
    info,
    languages,
    menu,
    oneline,
    profile,
    secured,
    security,
    stepup,
    transfer,
    wallet,
)
from flows.conversation import Conversation
from flows.router import GlobalWord, global_word, normalize
from flows.shared_reads import shared
from flows.states import SECURED_STATES, State
from flows.types import Context, Inbound, Outcome, Reply

Handler = Callable[[Conversation, str, Context], Outcome]
Prompt = Callable[[Context, Mapping[str, Any]], Outcome]

_LINK_WORDS = frozenset({"link", "new link", "send link", "resend", "resend link"})


def _await_auth(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """AWAIT_AUTH: a new request replaces the wait; ``link`` sends a fresh link."""
    if menu.choose(text) is not None or oneline.parse(text) is not None:
        return menu.handle(conv, text, ctx)
    resume_with = conv.data.get("resume", {})
    if text in _LINK_WORDS:
        return secured.gate(ctx, resume_with) or resume(conv, ctx)
    assert ctx.customer is not None
    if ctx.identity.check(ctx.customer.msisdn).status is Status.VALID:
        return resume(conv, ctx)  # logged in, but the resumed reply went astray
    return Outcome(State.AWAIT_AUTH, (Reply("fallback.await_auth"),), conv.data)


# State → the handler that reads the customer's next message in that state.
HANDLERS: dict[State, Handler] = {
    State.MAIN_MENU: menu.handle,
    State.CONTACT_MENU: info.handle_contact,
    State.AWAIT_AUTH: _await_auth,
    State.STATEMENT_ACCOUNT: accounts.handle_account,
    State.SECURITY_MENU: security.handle,
    State.STEP_UP: stepup.handle,
    State.STATEMENT_PDF_ACCOUNT: documents.handle_account,
    State.STATEMENT_PDF_PERIOD: documents.handle_period,
    State.STATEMENT_PDF_MONTH: documents.handle_month,
    State.REQUEST_CHOICE: oneline.handle_choice,
    State.LANGUAGE_MENU: languages.handle,
    **transfer.HANDLERS,
    **bills.HANDLERS,
    **cards.HANDLERS,
    **profile.HANDLERS,
}

# Secured state → how to ask its question again after a login interrupted it.
PROMPTS: dict[State, Prompt] = {
    State.STATEMENT_ACCOUNT: accounts.choose_account,
    State.SECURITY_MENU: security.show,
    State.STEP_UP: stepup.prompt,
    State.STATEMENT_PDF_ACCOUNT: documents.choose_account,
    State.STATEMENT_PDF_PERIOD: documents.ask_period,
    State.STATEMENT_PDF_MONTH: documents.ask_month,
    State.REQUEST_CHOICE: oneline.ask_choice,
    **transfer.PROMPTS,
    **bills.PROMPTS,
    **cards.PROMPTS,
    **profile.PROMPTS,
}


def handle(conv: Conversation, msg: Inbound, ctx: Context, idle: timedelta) -> Outcome:
    """Route one inbound message and say what happens next."""
    ctx = replace(ctx, bank=shared(ctx.bank))  # this message's repeated bank reads, asked once
    if ctx.customer is None:
        return wallet.handle(ctx, msg.text)  # the new-to-bank menu: nothing is stored
    notes: tuple[Reply, ...] = ()
    if conv.is_idle(ctx.now, idle) and not stepup.kept(conv, ctx.now):  # a paused request stays
        if conv.state is not State.MAIN_MENU:
            notes += (Reply("idle.reset"),)
        conv = Conversation()  # an idle conversation starts over, as if new
    if msg.has_media:  # never kept: documents go to the secure page (flows.kyc)
        notes += (Reply("media.not_kept"),)
    text = normalize(msg.text)
    text = ctx.words.get(text, text)  # "bonjour" is "menu", "oui" is "yes" (flows.languages)
    if not text:
        if msg.has_media and conv.state is State.MAIN_MENU:
            entry = menu.by_key("kyc_upgrade")
            assert entry is not None
            outcome = menu.start(entry, ctx)
            return replace(outcome, replies=(*notes, *outcome.replies))
        if msg.has_media:
            return Outcome(conv.state, notes, conv.data)
        return Outcome(conv.state, (*notes, Reply("empty.message")), conv.data)
    word = global_word(text)
    if text in WALLET_WORDS and conv.state is State.MAIN_MENU:
        outcome = wallet.already(ctx)
    elif word:
        outcome = _global(word, conv, ctx)
    elif conv.state in SECURED_STATES:
        resume_with = {"state": conv.state.value, "data": dict(conv.data)}
        outcome = secured.gate(ctx, resume_with) or HANDLERS[conv.state](conv, text, ctx)
    else:
        outcome = HANDLERS[conv.state](conv, text, ctx)
    return _hint_once(conv, replace(outcome, replies=(*notes, *outcome.replies)))


HINT = "menu.hint"
WALLET_WORDS = frozenset({"open wallet", "open a wallet"})


def welcome(conv: Conversation, ctx: Context) -> Outcome:
    """A wallet has just opened on the secure page: say what the new customer can do."""
    return _hint_once(conv, wallet.opened(ctx))


def _hint_once(conv: Conversation, outcome: Outcome) -> Outcome:
    """ "Send menu at any time" once per conversation, not under every answer."""
    if conv.hinted:
        kept = tuple(r for r in outcome.replies if r.key != HINT)
        return replace(outcome, replies=kept or outcome.replies, hinted=True)
    return replace(outcome, hinted=any(r.key == HINT for r in outcome.replies))


def resume(conv: Conversation, ctx: Context) -> Outcome:
    """The customer has just logged in on a secure page: carry on where the chat stopped."""
    if conv.state is State.STEP_UP:
        return stepup.resumed(conv, ctx)  # the security-questions page, not a login
    lead = Reply("auth.resumed")
    if conv.state is not State.AWAIT_AUTH:
        return Outcome(conv.state, (lead,), conv.data)  # they moved on meanwhile: don't disturb
    target = conv.data.get("resume") or {}
    outcome: Outcome | None = None
    if "intent" in target:
        entry = menu.by_key(str(target["intent"]))
        outcome = menu.start(entry, ctx) if entry is not None else None
    elif "line" in target:  # a one-line request: taken up again as it was typed
        outcome = oneline.start(ctx, str(target["line"]))
    elif target.get("state") in {s.value for s in PROMPTS}:
        state = State(target["state"])
        outcome = secured.gate(ctx, target) or PROMPTS[state](ctx, target.get("data") or {})
    if outcome is None:
        return _hint_once(conv, Outcome(State.MAIN_MENU, (lead, Reply(HINT))))
    return _hint_once(conv, replace(outcome, replies=(lead, *outcome.replies)))


def _global(word: GlobalWord, conv: Conversation, ctx: Context) -> Outcome:
    outcome = _global_word(word, conv, ctx)
    if conv.state is State.STEP_UP and word is not GlobalWord.HELP:
        return stepup.leave(outcome)  # leaving the challenge ends it: its code stops working
    return outcome


def _global_word(word: GlobalWord, conv: Conversation, ctx: Context) -> Outcome:
    if word is GlobalWord.MENU:
        return menu.welcome(ctx)
    if word is GlobalWord.HELP:
        return Outcome(conv.state, (Reply(f"help.{conv.state.value}"),), conv.data)
    if word is GlobalWord.CANCEL:
        if conv.state is State.MAIN_MENU:
            return Outcome(State.MAIN_MENU, (Reply("cancel.nothing"), Reply("menu.hint")))
        return Outcome(State.MAIN_MENU, (Reply("cancel.done"), *menu.show(ctx).replies))
    return security.logout(ctx)
