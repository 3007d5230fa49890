"""Choosing the language Teller writes in: Profile & security's *Language* item lists the
languages the catalogs hold (each named in itself), and the number chosen becomes the
customer's (``SetLanguage``: the edge keeps it, and this reply is already in it).

The other way in is writing the menu word of a language (``bonjour``, ``مرحبا``): the edge
picks that language before the engine runs, and ``words`` (``Context.words``) maps such a word
to the global word it stands for, as it maps a translated yes or no (``oui``, ``نعم``) to
``yes``/``no``. English's own words work in every language.
"""

from __future__ import annotations

from flows.conversation import Conversation
from flows.effects import SetLanguage
from flows.states import State
from flows.types import Context, Outcome, Reply


def choices(ctx: Context) -> str:
    return "\n".join(f"{n} {name}" for n, (_, name) in enumerate(ctx.languages, start=1))


def show(ctx: Context) -> Outcome:
    return Outcome(State.LANGUAGE_MENU, (Reply("language.menu", {"choices": choices(ctx)}),))


def handle(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """LANGUAGE_MENU: a number from the list (or a language's code or name) keeps it."""
    chosen = _choose(text, ctx)
    if chosen is None:
        reply = Reply("fallback.language_menu", {"choices": choices(ctx)})
        return Outcome(State.LANGUAGE_MENU, (reply,))
    return Outcome(
        State.MAIN_MENU,
        (Reply("language.set"), Reply("menu.hint")),
        effects=(SetLanguage(chosen),),
    )


def _choose(text: str, ctx: Context) -> str | None:
    for n, (code, name) in enumerate(ctx.languages, start=1):
        if text in {str(n), code, name.casefold()}:
            return code
    return None
