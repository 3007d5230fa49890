"""What a receipt and a statement say, as frozen data checked on construction.

Everything a document shows is here and nothing else: amounts are ``Decimal`` (never floats),
times are aware, and every account number is already masked (``••6789``). A model that would put
a full number, a naive time or a float on paper refuses to exist, so no renderer can leak one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from messaging.masking import DOT


class InvalidDocument(ValueError):
    """A document model was given data it must never print; ``field`` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


def _masked(field: str, value: str) -> None:
    # Masked numbers start with the mask's dots and show at most four characters after them.
    visible = value.lstrip(DOT)
    if not value.startswith(DOT) or len(visible) > 4:
        raise InvalidDocument(field, "must be a masked account number such as ••6789")


def _aware(field: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidDocument(field, "must be an aware datetime")


def _money(field: str, value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidDocument(field, "must be a finite Decimal")


@dataclass(frozen=True)
class Party:
    """One side of a movement: a name and a masked account, with the bank when it is another.
    A biller has a name and no account to show (``account`` empty)."""

    name: str
    account: str  # masked: ••6789, or "" for a biller
    bank: str = ""

    def __post_init__(self) -> None:
        if self.account or not self.name:
            _masked("account", self.account)

    def line(self) -> str:
        if not self.account:
            return self.name
        where = f" ({self.bank} {self.account})" if self.bank else f" ({self.account})"
        return f"{self.name}{where}" if self.name else where.strip(" ()")


@dataclass(frozen=True)
class Receipt:
    bank_name: str
    reference: str
    created_at: datetime
    sender: Party
    recipient: Party
    amount: Decimal
    fee: Decimal
    currency: str
    status: str  # completed | pending | failed
    channel: str  # WhatsApp
    narration: str = ""

    def __post_init__(self) -> None:
        _aware("created_at", self.created_at)
        _money("amount", self.amount)
        _money("fee", self.fee)
        if self.amount <= 0 or self.fee < 0:
            raise InvalidDocument("amount", "must be positive, and the fee not negative")

    @property
    def total(self) -> Decimal:
        return self.amount + self.fee


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    description: str
    reference: str
    amount: Decimal  # signed: negative is a debit
    balance: Decimal  # running balance after this line

    def __post_init__(self) -> None:
        _aware("at", self.at)
        _money("amount", self.amount)
        _money("balance", self.balance)


@dataclass(frozen=True)
class Statement:
    """A statement of one account for ``first``..``last`` (both included), oldest line first."""

    bank_name: str
    holder: str
    account: str  # masked
    account_type: str
    currency: str
    first: date
    last: date
    opening: Decimal
    lines: tuple[StatementLine, ...]
    generated_at: datetime
    reference: str  # the document's own reference, e.g. ST7K2M9Q

    def __post_init__(self) -> None:
        _masked("account", self.account)
        _aware("generated_at", self.generated_at)
        _money("opening", self.opening)
        if self.last < self.first:
            raise InvalidDocument("last", "must not be before first")

    @property
    def credits(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount > 0), Decimal("0.00"))

    @property
    def debits(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount < 0), Decimal("0.00"))

    @property
    def closing(self) -> Decimal:
        return self.opening + self.credits + self.debits
