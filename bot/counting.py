"""What a handled message is counted under (``messaging.metrics``): the intent it served, read
from where the conversation went or, back at the menu, from the reply it got.

A message answered at the main menu (a balance, help, a refusal) names its intent by its first
reply's key (``balance``, ``help.…``); one that moved into a flow names it by that flow's state.
Notes that ride along (an idle reset, media not read, the menu hint) don't count.
"""

from __future__ import annotations

from flows.states import State
from flows.types import Outcome

# State (by prefix) → intent; the longest prefix wins (statement_pdf_… before statement_…).
_BY_STATE = (
    ("statement_pdf", "statement_pdf"),
    ("statement", "statement"),
    ("transfer", "transfer"),
    ("bill", "bill"),
    ("card", "cards"),
    ("profile", "profile"),
    ("security", "security"),
    ("step_up", "step_up"),
    ("await_auth", "login"),
    ("contact", "contact"),
    ("request_choice", "transfer"),
)
# A reply key's first part → intent.
_BY_REPLY = {
    "balance": "balance",
    "statement": "statement",
    "accounts": "statement",
    "statement_pdf": "statement_pdf",
    "document": "statement_pdf",
    "transfer": "transfer",
    "movement": "transfer",
    "amount": "transfer",
    "lookup": "transfer",
    "oneline": "transfer",
    "bill": "bill",
    "cards": "cards",
    "profile": "profile",
    "limit": "profile",
    "security": "security",
    "stepup": "step_up",
    "auth": "login",
    "help": "help",
    "contact": "contact",
    "logout": "logout",
    "cancel": "cancel",
    "menu": "menu",
    "welcome": "menu",
    "fallback": "fallback",
    "directory": "unknown_number",
    "wallet": "wallet",
}
_NOTES = frozenset({"idle.reset", "media.unsupported", "menu.hint", "empty.message"})


def intent_of(outcome: Outcome) -> str:
    """The intent a message served (one of ``messaging.metrics.INTENTS``, or ``other``)."""
    if outcome.state is not State.MAIN_MENU:
        for prefix, intent in _BY_STATE:
            if outcome.state.value.startswith(prefix):
                return intent
    keys = [reply.key for reply in outcome.replies if reply.key not in _NOTES]
    if not keys:
        return "menu"
    return _BY_REPLY.get(keys[0].split(".", 1)[0], "other")
