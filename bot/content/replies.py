"""Button and list replies: a flow's choices sent as a WhatsApp quick reply or list picker.

A TwiML ``<Message>`` carries only a body and media (its attributes are ``to``, ``from``,
``action``, ``method``, ``statusCallback``): it can't name a Content SID. So when a reply has
choices and the matching template is synced, the webhook answers with empty TwiML and sends
the replies through the REST API instead (``messages.create(content_sid=…,
content_variables=…)``), in order: the text before the question as one message, then the
question with its buttons or list. The interactive message's body is the reply's own text,
numbered choices and all, so a customer can always type the answer; if a send fails, what is
left goes back as TwiML text. With no template synced, nothing here changes a reply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from redis.exceptions import RedisError

from bot import twiml
from bot.content.definitions import (
    MAX_BODY,
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    MAX_ITEM_DESCRIPTION,
    MAX_ITEM_TITLE,
    MAX_ITEMS,
    MAX_LIST_BUTTON,
    buttons_name,
    list_name,
    yes_no_languages,
    yes_no_name,
)
from bot.content.fitting import fit, length
from bot.content.store import ContentStore, OfferStore
from flows.responses import CATALOG
from flows.types import Choice, Reply
from messaging import Channel, Messenger, MessengerError
from messaging.languages import SOURCE, text
from messaging.masking import mask_phone

log = logging.getLogger("teller.webhook")


class ContentSender(Messenger, Protocol):
    """A messenger that can also send a content template (Twilio's, or the dev outbox)."""

    def send_content(
        self, to: str, content_sid: str, variables: Mapping[str, str], fallback: str
    ) -> str:
        """Send the template to ``to`` on WhatsApp; ``fallback`` is its text (for logs and the
        outbox, never sent in its place). Raises MessengerError."""
        ...


@dataclass(frozen=True)
class Plan:
    """How one outcome's replies go out as a button or list message."""

    before: str  # the replies ahead of the question, as one text ("" if none)
    name: str  # the template's friendly_name
    sid: str
    variables: dict[str, str]
    body: str  # the question's text: the interactive message's body and its text fallback
    ids: tuple[str, ...]  # what a tap can send back


def template_for(
    body: str, choices: tuple[Choice, ...], language: str = SOURCE
) -> tuple[str, dict[str, str]] | None:
    """The template and variables that show ``choices`` under ``body``, within WhatsApp's
    limits, with the list's own words (its button, "Or type 3") in ``language``; or None (the
    reply stays text). The titles are the choices' own, already in the reply's language."""
    if not choices or length(body) > MAX_BODY or not body.strip():
        return None
    ids = [c.id for c in choices]
    titles = [c.title.strip() for c in choices]
    if not all(titles) or len(set(ids)) != len(ids):
        return None
    if ids == ["yes", "no"]:
        shown = language if language in yes_no_languages() else SOURCE
        return yes_no_name(shown), {"1": body}
    if (
        2 <= len(choices) <= MAX_BUTTONS
        and all(length(t) <= MAX_BUTTON_TITLE for t in titles)
        and len(set(titles)) == len(titles)  # WhatsApp wants each button's title unique
        and ids == [str(n) for n in range(1, len(ids) + 1)]
    ):
        variables = {"1": body}
        variables.update({str(n + 1): t for n, t in enumerate(titles, start=1)})
        return buttons_name(len(choices)), variables
    if len(choices) <= MAX_ITEMS and ids == [str(n) for n in range(1, len(ids) + 1)]:
        button = text("choices.button", CATALOG["choices.button"], language)
        variables = {"1": body, "2": fit(button, MAX_LIST_BUTTON)}
        for n, title in enumerate(titles, start=1):
            short, described = _item(title, n, language)
            variables.update({str(2 * n + 1): short, str(2 * n + 2): described})
        return list_name(len(choices)), variables
    return None


def _item(title: str, n: int, language: str) -> tuple[str, str]:
    """A list item's title, cut to fit, and its description: the whole label when it was
    cut (itself cut if even that is too long), else how to pick it by typing."""
    short = fit(title, MAX_ITEM_TITLE)
    if short == title:
        typed = text("choices.type", CATALOG["choices.type"], language).format(id=n)
        return title, fit(typed, MAX_ITEM_DESCRIPTION)
    return short, fit(title, MAX_ITEM_DESCRIPTION)


class InteractiveReplies:
    """Plans and sends button and list messages for the webhook (``bot.dispatch``)."""

    def __init__(self, content: ContentStore, offers: OfferStore, sender: ContentSender) -> None:
        self.content = content
        self.offers = offers
        self.sender = sender

    def plan(
        self, replies: Sequence[Reply], texts: Sequence[str], language: str = SOURCE
    ) -> Plan | None:
        """The last reply with choices as a button or list message (what follows it joins its
        body), or None when there is none or its template isn't synced. ``language`` is the
        one ``texts`` are written in: the list's own words and the yes/no buttons follow it."""
        at = next((i for i in range(len(replies) - 1, -1, -1) if replies[i].choices), None)
        if at is None or not self.content.any_sendable():  # nothing synced: text, unplanned
            return None
        body = "\n\n".join(texts[at:])
        found = template_for(body, replies[at].choices, language)
        if found is None:
            return None
        name, variables = found
        sid = self.content.sendable(name)
        if sid is None:
            return None
        ids = tuple(c.id for c in replies[at].choices)
        return Plan("\n\n".join(texts[:at]), name, sid, variables, body, ids)

    def send(self, msisdn: str, plan: Plan) -> list[str]:
        """Send the plan; what could not be sent, as texts for TwiML (empty: all went)."""
        parts = twiml.split_message(plan.before) if plan.before else []
        for index, part in enumerate(parts):
            try:
                self.sender.send(Channel.WHATSAPP, msisdn, part)
            except MessengerError as exc:
                log.warning("reply to %s: sent as TwiML text (%s)", mask_phone(msisdn), exc)
                return [*parts[index:], plan.body]
        try:
            self.sender.send_content(msisdn, plan.sid, plan.variables, plan.body)
        except MessengerError as exc:
            log.warning("%s to %s: sent as TwiML text (%s)", plan.name, mask_phone(msisdn), exc)
            return [plan.body]
        try:
            self.offers.remember(msisdn, plan.ids)
        except RedisError as exc:  # sent all the same: a tap then reads as its plain text
            log.warning("offer to %s not kept: Redis %s", mask_phone(msisdn), type(exc).__name__)
        return []

    def tapped(self, msisdn: str, tap: str) -> bool:
        """Whether ``tap`` (a ButtonPayload or ListId) is one Teller offered this customer."""
        return bool(tap) and tap in self.offers.offered(msisdn)
