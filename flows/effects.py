"""The effects the document flows ask the edge to perform (see ``flows.types.Effect``).

They carry what the edge needs and nothing more; the edge rate-limits, records the request and
enqueues the job (with ids only), and may answer with a refusal instead of the flow's replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.types import Effect


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


@dataclass(frozen=True)
class SendReceipt(Effect):
    """Render and send the receipt of a completed movement: the transaction id, nothing else."""

    txn_id: int


@dataclass(frozen=True)
class NotifyClaim(Effect):
    """Money is held for a mobile number: text the recipient a claim link, schedule the refund."""

    claim_id: str
