"""The one registry of content templates Teller creates through Twilio's Content API.

Each definition has the Content API's own shape (``friendly_name``, ``language``,
``variables`` with sample values, ``types``) plus the WhatsApp approval ``category`` it is
submitted under, or None for a session-only template that is never submitted. ``registry()``
is what ``flask --app app whatsapp sync-content`` syncs: other registries (proactive notices)
join it as more definitions built with ``ContentDefinition.from_dict``.

The interactive templates below carry fixed ids (``1``…``10``, ``yes``, ``no``): a tap comes
back as the token the customer could have typed. The buttons' and lists' body, titles and list
button are variables, filled from the reply's own text in the customer's language, so one
template serves every menu, list of payees or summary in every language. The yes/no template's
two titles are fixed text, so it exists once per language whose catalog labels them
(``teller_yes_no`` for English, ``teller_yes_no_fr``…).
Twilio's rules they follow (docs/whatsapp.md cites them): quick replies in a session have at
most 3 buttons; a list picker has 1 to 10 items, a title of at most 24 characters and a
description of at most 72; both bodies at most 1,024 characters. Neither is submitted for
approval: list pickers can't be approved at all, and these quick replies are only ever
replies inside the customer's 24-hour session.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import notice_templates
from bot.content.fitting import fit
from flows.responses import CHOICE_LABELS
from messaging.languages import SOURCE, catalogs, text

QUICK_REPLY = "twilio/quick-reply"
LIST_PICKER = "twilio/list-picker"
MAX_BUTTONS = 3  # in-session quick replies without approval
MAX_BUTTON_TITLE = 20
MAX_ITEMS = 10
MAX_ITEM_TITLE = 24
MAX_ITEM_DESCRIPTION = 72
MAX_LIST_BUTTON = 20  # WhatsApp's list message: the button that opens the list
MAX_BODY = 1024
CATEGORIES = frozenset({"UTILITY", "MARKETING", "AUTHENTICATION"})
_VARIABLE = re.compile(r"\{\{\s*([0-9A-Za-z_]+)\s*\}\}")


@dataclass(frozen=True)
class ContentDefinition:
    """One content template as the Content API takes it, and how it is approved."""

    friendly_name: str
    language: str
    variables: Mapping[str, str]  # variable → a sample value (WhatsApp wants one for each)
    types: Mapping[str, Any]  # content type → its fields, as the Content API documents them
    category: str | None = None  # WhatsApp approval category; None: session-only
    ids: tuple[str, ...] = field(default=(), compare=False)  # the tap ids it can send back

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ContentDefinition:
        """A definition from the JSON shape (``category`` optional); ValueError if unusable."""
        name, language = raw.get("friendly_name"), raw.get("language")
        variables, types = raw.get("variables") or {}, raw.get("types")
        category = raw.get("category")
        if not isinstance(name, str) or not name:
            raise ValueError("friendly_name: must be a non-empty string")
        if not isinstance(language, str) or not language:
            raise ValueError(f"{name}: language must be a language code such as en")
        if not isinstance(types, Mapping) or not types:
            raise ValueError(f"{name}: types must name at least one content type")
        if category is not None and category not in CATEGORIES:
            raise ValueError(f"{name}: category must be one of {', '.join(sorted(CATEGORIES))}")
        return cls(name, language, dict(variables), dict(types), category, _ids(types))

    def to_dict(self) -> dict[str, Any]:
        """The Content API's create body (``category`` is the approval request's, not here)."""
        return {
            "friendly_name": self.friendly_name,
            "language": self.language,
            "variables": dict(self.variables),
            "types": json.loads(json.dumps(self.types)),
        }

    @property
    def needs_approval(self) -> bool:
        return self.category is not None


def _ids(types: Mapping[str, Any]) -> tuple[str, ...]:
    quick = types.get(QUICK_REPLY) or {}
    listed = types.get(LIST_PICKER) or {}
    found = [str(a.get("id", "")) for a in quick.get("actions", [])]
    found += [str(i.get("id", "")) for i in listed.get("items", [])]
    return tuple(i for i in found if i)


def expand(value: Any, variables: Mapping[str, str]) -> Any:
    """``value`` (a definition's ``types``) with each ``{{n}}`` replaced by its variable: what
    the customer sees (the dev outbox shows it, as Twilio would render it)."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, Mapping):
        return {k: expand(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, variables) for v in value]
    return value


# --- Teller's interactive replies ---------------------------------------------------------

YES_NO_NAME = "teller_yes_no"  # English's; another language's is teller_yes_no_<language>
SAMPLE_BODY = "Send USD 150.00 to Chidi O. (Access ••4321)? Reply YES or NO."


def yes_no_name(language: str = SOURCE) -> str:
    """The yes/no template of ``language``: its buttons' titles are fixed text, so each
    language has its own (English keeps the name stored before languages had templates)."""
    return YES_NO_NAME if language == SOURCE else f"{YES_NO_NAME}_{language}"


@functools.cache
def yes_no_languages() -> tuple[str, ...]:
    """English, and each catalog language that translates both the Yes and No labels (the
    others show English's buttons). Read once: a reply with choices asks it."""
    found = catalogs()
    return tuple(
        language
        for language in found.languages
        if language == SOURCE
        or all(found.translated(f"choice.{c}", CHOICE_LABELS[c], language) for c in CHOICE_LABELS)
    )


def buttons_name(count: int) -> str:
    return f"teller_buttons_{count}"


def list_name(count: int) -> str:
    return f"teller_list_{count}"


def _yes_no(language: str) -> ContentDefinition:
    """Body {{1}}; the Yes and No buttons titled in ``language`` (ids ``yes``, ``no``)."""
    yes, no = (
        fit(text(f"choice.{c}", CHOICE_LABELS[c], language), MAX_BUTTON_TITLE)
        for c in CHOICE_LABELS
    )
    actions = [
        {"type": "QUICK_REPLY", "title": yes, "id": "yes"},
        {"type": "QUICK_REPLY", "title": no, "id": "no"},
    ]
    return ContentDefinition.from_dict(
        {
            "friendly_name": yes_no_name(language),
            "language": language,
            "variables": {"1": SAMPLE_BODY},
            "types": {QUICK_REPLY: {"body": "{{1}}", "actions": actions}},
        }
    )


def _buttons(count: int, language: str) -> ContentDefinition:
    """Body {{1}}; button n's title {{n+1}}, its id ``n``."""
    actions = [
        {"type": "QUICK_REPLY", "title": f"{{{{{n + 1}}}}}", "id": str(n)}
        for n in range(1, count + 1)
    ]
    samples = {"1": "Why do you need a new card?\n1 Lost\n2 Stolen\n3 Damaged"}
    samples.update({str(n + 1): f"Choice {n}" for n in range(1, count + 1)})
    return ContentDefinition.from_dict(
        {
            "friendly_name": buttons_name(count),
            "language": language,
            "variables": samples,
            "types": {QUICK_REPLY: {"body": "{{1}}", "actions": actions}},
        }
    )


def _list(count: int, language: str) -> ContentDefinition:
    """Body {{1}}, the button's label {{2}}; item n's title {{2n+1}}, its description
    {{2n+2}}, its id ``n``."""
    items = [
        {"item": f"{{{{{2 * n + 1}}}}}", "description": f"{{{{{2 * n + 2}}}}}", "id": str(n)}
        for n in range(1, count + 1)
    ]
    samples = {"1": "Who do you want to pay?\n1 New payee", "2": "Choose"}
    for n in range(1, count + 1):
        samples.update({str(2 * n + 1): f"Choice {n}", str(2 * n + 2): f"Reply {n}"})
    return ContentDefinition.from_dict(
        {
            "friendly_name": list_name(count),
            "language": language,
            "variables": samples,
            "types": {LIST_PICKER: {"body": "{{1}}", "button": "{{2}}", "items": items}},
        }
    )


@functools.cache
def interactive() -> tuple[ContentDefinition, ...]:
    """The button and list templates: one yes/no per language that labels it, and the
    language-free buttons and lists (every text in them is a variable, filled in the
    customer's language by ``bot.content.replies``)."""
    return (
        *(_yes_no(language) for language in yes_no_languages()),
        *(_buttons(n, SOURCE) for n in range(2, MAX_BUTTONS + 1)),
        *(_list(n, SOURCE) for n in range(1, MAX_ITEMS + 1)),
    )


@functools.cache
def registry() -> tuple[ContentDefinition, ...]:
    """Every definition sync-content keeps in step with Twilio (more registries join here):
    the interactive ones, and the proactive notices' templates for outside the 24-hour window,
    one per notice and language (``bot.notice_templates``). Built from the catalogs, so read
    when first needed rather than at import."""
    notices = (ContentDefinition.from_dict(t) for t in notice_templates.templates().values())
    return interactive() + tuple(notices)
