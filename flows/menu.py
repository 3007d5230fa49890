"""The main menu: built from the flows that exist, so it never offers what isn't built.

Each entry names its menu label key (``flows.responses.MENU_LABELS``), the words that pick it,
the function that starts its flow, and whether it is secured (the token check runs first, and
the entry resumes after the customer logs in). Entries are numbered in the order listed here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from flows import (
    accounts,
    bills,
    cards,
    documents,
    info,
    kyc,
    oneline,
    secured,
    security,
    transfer,
)
from flows.conversation import Conversation
from flows.responses import label
from flows.states import State
from flows.types import Choice, Context, Outcome, Reply
from messaging.languages import current, speaking


@dataclass(frozen=True)
class MenuEntry:
    key: str
    words: tuple[str, ...]
    start: Callable[[Context], Outcome]
    secured: bool = False


ENTRIES: tuple[MenuEntry, ...] = (
    MenuEntry("balance", ("balance", "balances", "my balance"), accounts.balance, True),
    MenuEntry(
        "statement",
        ("statement", "mini statement", "transactions", "history"),
        accounts.mini_statement,
        True,
    ),
    MenuEntry(
        "statement_pdf",
        ("statement pdf", "pdf statement", "pdf", "e-statement", "statement (pdf)"),
        documents.start,
        True,
    ),
    MenuEntry(
        "transfer",
        ("transfer", "send money", "pay someone", "transfer money", "send"),
        transfer.start,
        True,
    ),
    MenuEntry(
        "bill",
        ("pay bill", "pay a bill", "bill", "bills", "pay bills", "bill payment"),
        bills.start,
        True,
    ),
    MenuEntry(
        "cards",
        ("cards", "card", "my cards", "lock card", "block card", "lost card"),
        cards.start,
        True,
    ),
    MenuEntry(
        "security",
        ("profile", "security", "profile & security", "profile and security", "settings"),
        security.show,
        True,
    ),
    MenuEntry("logout", ("sign out",), security.logout),
    MenuEntry("tips", ("tips", "security tips"), info.start_tips),
    MenuEntry("contact", ("contact", "contact us", "support"), info.start_contact),
)
# Intents by word only, not numbered in the menu (offered in the replies where they help).
WORD_ONLY: tuple[MenuEntry, ...] = (
    MenuEntry("retry", ("retry", "try again", "send again"), documents.resend, True),
    MenuEntry(
        "kyc_upgrade",
        ("upgrade kyc", "upgrade kyc level", "upgrade my kyc level", "upgrade my kyc", "kyc"),
        kyc.start,
        True,
    ),
)


def menu_text(entries: tuple[MenuEntry, ...] = ENTRIES) -> str:
    if entries is ENTRIES:
        return _main_menu(current())[0]
    return _text(entries)


def menu_choices(entries: tuple[MenuEntry, ...] = ENTRIES) -> tuple[Choice, ...]:
    """The menu as data: each entry picked by its number, as ``menu_text`` lists it."""
    if entries is ENTRIES:
        return _main_menu(current())[1]
    return _choices(entries)


def _text(entries: tuple[MenuEntry, ...]) -> str:
    return "\n".join(f"{n} {label(e.key)}" for n, e in enumerate(entries, start=1))


def _choices(entries: tuple[MenuEntry, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(str(n), label(e.key)) for n, e in enumerate(entries, start=1))


# Most messages show the main menu; its labels are the catalogs', fixed for the process, so it
# is built once per language rather than twenty label look-ups a message.
@functools.cache
def _main_menu(language: str) -> tuple[str, tuple[Choice, ...]]:
    with speaking(language):
        return _text(ENTRIES), _choices(ENTRIES)


def choose(text: str, entries: tuple[MenuEntry, ...] = ENTRIES) -> MenuEntry | None:
    """The entry a normalised text picks, by number or by one of its words."""
    if text.isdecimal() and 1 <= int(text) <= len(entries):
        return entries[int(text) - 1]
    return next((e for e in (*entries, *WORD_ONLY) if text in e.words), None)


def start(entry: MenuEntry, ctx: Context) -> Outcome:
    """Start an entry's flow, behind the token check when it is secured."""
    if entry.secured:
        gated = secured.gate(ctx, {"intent": entry.key})
        if gated is not None:
            return gated
    return entry.start(ctx)


def by_key(key: str) -> MenuEntry | None:
    return next((e for e in (*ENTRIES, *WORD_ONLY) if e.key == key), None)


def first_name(ctx: Context) -> str:
    if ctx.customer is None:
        return "there"
    return ctx.customer.name.split()[0] if ctx.customer.name.strip() else "there"


def welcome(ctx: Context) -> Outcome:
    params = {"first_name": first_name(ctx), "menu": menu_text()}
    reply = Reply("welcome", params, menu_choices())
    return Outcome(State.MAIN_MENU, (reply,))


def show(ctx: Context, key: str = "menu") -> Outcome:
    return Outcome(State.MAIN_MENU, (Reply(key, {"menu": menu_text()}, menu_choices()),))


def handle(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """MAIN_MENU: start the chosen flow; a first or unclear message gets the menu again."""
    entry = choose(text)
    if entry is not None:
        return start(entry, ctx)
    request = oneline.start(ctx, text)  # "send 150 to fatuma", "bal", "lock card 4242"
    if request is not None:
        return request
    if conv.updated_at is None:
        return welcome(ctx)
    return show(ctx, "fallback.main_menu")
