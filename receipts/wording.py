"""What a receipt or a statement prints besides its facts, by key, and in which language.

The English here is the source of the catalogs' ``receipts`` group (``app.languages``); the
caller (the worker) passes a ``Wording`` with the customer's language and the translations it
found, so receipts/ stays bytes in, bytes out and reads no catalog itself. A key without a
translation prints its English. Amounts and times are written for the language by Babel
(``messaging.local_format``); right-to-left languages are shaped and laid out by
``receipts.shaping``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from messaging import local_format
from messaging.languages import SOURCE, direction

RECEIPT: dict[str, str] = {
    "receipt.title": "Transaction receipt",
    "receipt.reference": "Reference",
    "receipt.when": "Date and time",
    "receipt.from": "From",
    "receipt.to": "To",
    "receipt.amount": "Amount",
    "receipt.fee": "Fee",
    "receipt.total": "Total debited",
    "receipt.status": "Status",
    "receipt.channel": "Channel",
    "receipt.description": "Description",
    "receipt.status.completed": "Completed",
    "receipt.status.pending": "Pending",
    "receipt.status.failed": "Failed",
    "receipt.verification": "Verification code",
    "receipt.verify_at": "Check that this receipt is genuine at {url}",
    "receipt.footer.generated": (
        "This receipt was generated automatically by {bank} and needs no signature."
    ),
    "receipt.footer.masked": "Account numbers are masked.",
    "receipt.footer.never": (
        "We never ask for your PIN or password, nor for a code you did not request."
    ),
}


STATEMENT: dict[str, str] = {
    "statement.title": "Account statement",
    "statement.account": "Account",
    "statement.holder": "Account holder",
    "statement.period": "Period",
    "statement.period_value": "{first} to {last}",
    "statement.opening": "Opening balance",
    "statement.money_in": "Money in",
    "statement.money_out": "Money out",
    "statement.closing": "Closing balance",
    "statement.reference": "Statement reference",
    "statement.generated": "Generated",
    "statement.amounts_in": "Amounts in {currency}. Debits are shown with a minus sign.",
    "statement.col.date": "Date",
    "statement.col.description": "Description",
    "statement.col.reference": "Reference",
    "statement.col.amount": "Amount",
    "statement.col.balance": "Balance",
    "statement.totals": "Totals: money in {money_in} · money out {money_out}",
    "statement.footer": "{bank} · {title} · account numbers masked",
    "statement.page": "Page {page} of {pages}",
    "statement.type.savings": "Savings",
    "statement.type.current": "Current",
    "statement.type.wallet": "Wallet",
}
DOCUMENTS: dict[str, str] = {**RECEIPT, **STATEMENT}


@dataclass(frozen=True)
class Wording:
    """A document's language and its texts in it (missing keys: the English)."""

    language: str = SOURCE
    texts: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, key: str, **params: str) -> str:
        return self.texts.get(key, DOCUMENTS[key]).format(**params)

    @property
    def rtl(self) -> bool:
        return direction(self.language) == "rtl"

    @property
    def english(self) -> bool:
        return self.language == SOURCE

    def money(self, amount: Decimal, currency: str) -> str:
        if self.english:  # Teller's receipts as they always were: an ASCII minus
            sign = "-" if amount < 0 else ""
            return f"{sign}{currency} {abs(amount):,.2f}"
        return local_format.money(amount, currency, self.language)

    def when(self, at: datetime) -> str:
        """``02 Nov 2026, 10:14 WAT``, with the month named in the language."""
        return local_format.when(at, "%d %b %Y, %H:%M %Z", self.language)
