"""The data a flow handler receives and returns: Inbound, Context, Reply, Outcome.

Handlers return data, never perform I/O: the edge renders replies by key and performs effects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

from auth.ports import Identity, StepUp
from bank.ports import CoreBanking, Customer
from flows.states import State


class NameLookups(Protocol):
    """Looking up someone else's name is counted and audited before it happens."""

    def count_lookup(self, msisdn: str, customer_id: str, kind: str) -> int:
        """0 when the look-up may go ahead; else the seconds to wait (nothing looked up)."""
        ...


@dataclass(frozen=True)
class Inbound:
    """One customer message as the flows see it (already parsed and validated by the edge)."""

    text: str  # the raw body, stripped; may be empty
    has_media: bool = False


@dataclass(frozen=True)
class Context:
    """What a handler may know about the world: the customer, the time, and the ports it may
    ask (the bank for reads, identity for the token check, links and logout)."""

    customer: Customer | None  # None: the number is not in the chat-banking directory
    bank_name: str
    now: datetime
    bank: CoreBanking
    identity: Identity
    currency: str  # the bank's (BankProfile.currency): amounts are read and shown in it
    zone: tzinfo  # the bank's clock (BankProfile.timezone): every time shown is on it
    stepup: StepUp | None = None  # step-up challenges; None where no flow needs them
    lookups: NameLookups | None = None  # None: other people's names are never looked up
    msisdn: str = ""  # the number the message came from (a customer's, or one outside)
    # The languages Teller writes in, (code, name in itself), English first; the customer's;
    # and what the catalogs let customers type for a global word or yes/no, by normalized text
    # ("bonjour" -> "menu", "oui" -> "yes"): see flows.languages.
    languages: tuple[tuple[str, str], ...] = (("en", "English"),)
    language: str = "en"
    words: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """One choice a reply offers: ``id`` is exactly what the customer would type to pick it
    (``1``, ``yes``), ``title`` how the choice is labelled in the reply's text."""

    id: str
    title: str


@dataclass(frozen=True)
class Reply:
    """A customer-facing message by catalog key (see flows.responses) with its parameters.

    ``choices`` are the answers the reply's text already lists, as data: the edge may offer
    them as WhatsApp buttons or a list, and a tap comes back as the choice's ``id``, the same
    text the customer could type. They never change what the reply says, so they take no part
    in comparing replies."""

    key: str
    params: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[Choice, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Effect:
    """Something fire-and-forget the edge does once the handler has returned: the reply
    doesn't depend on it (see ``flows.effects`` and the rule in ``flows/README.md``). Each kind
    is a frozen subclass named as a command; the edge dispatches on type."""


@dataclass(frozen=True)
class Outcome:
    """Where the conversation goes next and what to say; ``data`` holds the flow's slots."""

    state: State
    replies: tuple[Reply, ...]
    data: Mapping[str, Any] = field(default_factory=dict)
    persist: bool = True  # False: leave the stored conversation as it was
    hinted: bool = False  # the conversation has said "Send menu at any time" (set by the engine)
    effects: tuple[Effect, ...] = ()
