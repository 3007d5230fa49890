"""The effects a flow asks the edge to perform (see ``flows.types.Effect``).

The rule (``flows/README.md``): a handler calls a port only when it needs the answer to decide
what to say next; whatever the reply does not depend on is returned here, as an imperative
frozen dataclass, and ``bot.effects.EffectRunner`` performs it before the conversation is
stored. Effects carry what the edge needs and nothing more (ids, not documents), and the
writes are idempotent: a message whose commit failed is processed again, so any effect may be
performed twice (at worst a notice or a document goes twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flows.types import Effect

# --- documents: the edge rate-limits, records the request and enqueues the job (ids only) ---


@dataclass(frozen=True)
class SendStatement(Effect):
    """Render a PDF statement of one of the customer's accounts for ``first``..``last``
    (both included) and send it to them."""

    account_number: str
    first: date
    last: date


@dataclass(frozen=True)
class ResendDocument(Effect):
    """Send again the customer's last document that could not be delivered."""


# --- the customer's language (performed by the edge before the replies are written) ---


@dataclass(frozen=True)
class SetLanguage(Effect):
    """Keep ``language`` as the customer's: this reply and everything after is written in it."""

    language: str


# --- after money moved ---


@dataclass(frozen=True)
class SendReceipt(Effect):
    """Render and send the receipt of a completed movement: the transaction id, nothing else."""

    txn_id: int


@dataclass(frozen=True)
class NotifyClaim(Effect):
    """Money is held for a mobile number: text the recipient a claim link, schedule the refund."""

    claim_id: str


@dataclass(frozen=True)
class SavePayee(Effect):
    """Keep a new payee for next time (the bank saves one per bank and account)."""

    name: str
    bank_code: str
    account_number: str


# --- profile and security ---


@dataclass(frozen=True)
class UpdateEmail(Effect):
    """Change the email address the bank holds for the customer."""

    email: str


@dataclass(frozen=True)
class SendNotice(Effect):
    """A security notice by SMS to the registered number, by its key (``email_changed`` …)."""

    what: str


@dataclass(frozen=True)
class SetPersonalLimit(Effect):
    """Set the customer's own daily limit, or with None remove it (identity audits it and
    sends its own notice)."""

    limit: Decimal | None


@dataclass(frozen=True)
class LogOutEverywhere(Effect):
    """End the session and every outstanding link (the reply is the same whether one was live)."""


@dataclass(frozen=True)
class EndStepUp(Effect):
    """The customer left a challenge (``cancel``, ``menu``, ``logout``): end it, so its code
    stops working."""


# --- the audit (SECURITY.md 26) ---


@dataclass(frozen=True)
class RecordMovement(Effect):
    """Append a money movement or card change to the audit: ``event`` (``money.transfer``,
    ``card.lock`` …), ``result`` (``success``, ``refused``, ``replayed``) and only masked
    facts (``flows.audit_trail`` builds them): never a full number, someone else's name, a
    PIN or a code."""

    event: str
    result: str
    reason: str = ""  # why it was refused: the kind (``insufficient_funds``), never a message
    amount: str = ""  # "USD 150.00"
    parties: str = ""  # "from ••6789 to ••4321 at 002"
    reference: str = ""  # the bank's reference
    card: str = ""  # a card change: the card, masked
    new_card: str = ""  # a replacement, masked
