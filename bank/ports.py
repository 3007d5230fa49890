"""The core-banking port: what Teller needs from a bank, as frozen data, typed errors and one
Protocol. Flows, the webhook and workers depend on ``CoreBanking`` only, so the embedded SQLite
demo bank (``bank.demo``) and a real core system are interchangeable. Amounts are ``Decimal``,
times are aware ``datetime``. ``Customer`` deliberately carries no date of birth or national id:
that PII stays inside the bank, which only answers whether details someone typed match
(``verify_personal_details``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bank.errors import (
    AccountNotOwned,
    BankError,
    BankUnavailable,
    CardRefused,
    ClaimGone,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    KycRefused,
    UnknownAccount,
    UnknownBank,
)

if TYPE_CHECKING:  # the wallet types import this module's
    from bank.wallet_types import OpenedWallet, Taken, WalletOpening

# The bank's errors are part of the port: callers import them from here.
__all__ = [
    "AccountNotOwned",
    "BankError",
    "BankUnavailable",
    "CardRefused",
    "ClaimGone",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidAmount",
    "KycRefused",
    "UnknownAccount",
    "UnknownBank",
]


@dataclass(frozen=True)
class Branch:
    name: str
    address: str


@dataclass(frozen=True)
class BankProfile:
    """The bank's own facts: the one source of its name, currency, code, clock and contacts."""

    name: str
    currency: str  # ISO 4217, e.g. "USD"
    code: str  # the bank's own sort/institution code, e.g. "001"
    timezone: str = ""  # IANA name, e.g. "Africa/Lagos"; "" when the bank hasn't said
    phone: str = ""  # E.164: customer service
    fraud_phone: str = ""  # E.164: the fraud and lost-phone line
    branches: tuple[Branch, ...] = ()


@dataclass(frozen=True)
class OtherBank:
    code: str
    name: str


@dataclass(frozen=True)
class Biller:
    code: str
    name: str
    reference_label: str  # what the customer is asked for, e.g. "Meter number"
    reference_pattern: str  # a regular expression the reference must fully match


@dataclass(frozen=True)
class KycLevel:
    level: int
    per_transaction: Decimal
    daily: Decimal
    monthly: Decimal


# A customer's segment (the seed's ``segment``): which banking application they use.
SEGMENTS = ("retail", "business")


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    msisdn: str  # E.164
    email: str
    kyc_level: int
    chat_banking: bool = True  # False: in the bank, but not in the chat's directory
    segment: str = "retail"  # one of SEGMENTS: decides the MFA scenarios' application


@dataclass(frozen=True)
class Account:
    number: str
    customer_id: str
    type: str  # savings | current | wallet
    currency: str
    balance: Decimal


@dataclass(frozen=True)
class Card:
    card_id: str
    customer_id: str
    pan: str  # full PAN: mask it (messaging.masking.mask_card) before it leaves the process
    status: str  # active | inactive | locked | cancelled


@dataclass(frozen=True)
class Payee:
    payee_id: int
    customer_id: str
    name: str
    bank_code: str
    account_number: str


@dataclass(frozen=True)
class Transaction:
    txn_id: int
    account_number: str
    amount: Decimal  # signed: negative is a debit
    balance_after: Decimal
    description: str
    counterparty: str
    created_at: datetime
    reference: str


@dataclass(frozen=True)
class TransferRecord:
    """A transfer as the bank recorded it: what a receipt and its verification are built from.
    ``counterparty`` is the payer's ledger line's, already masked (``Chidi Okeke ••4321``)."""

    reference: str
    txn_id: int  # the debit's Transaction.txn_id on from_account
    customer_id: str
    from_account: str
    to_account: str
    to_bank_code: str
    amount: Decimal
    status: str
    created_at: datetime
    narration: str
    counterparty: str


# Money sent to a mobile number with no wallet: a transfer with this bank code and the number as
# the account; it goes to the bank's holding account until claimed or refunded.
P2P_HOLD_CODE = "P2P"

# A bill payment is a transfer with this bank code and the biller's code as the account: the
# money goes to the biller's collection account, owned by no customer (like a settlement).
BILLER_BANK_CODE = "BILLER"


@dataclass(frozen=True)
class TransferRequest:
    idempotency_key: str  # one per confirmed intent; a retry repeats it
    from_account: str
    to_account: str
    to_bank_code: str
    amount: Decimal
    narration: str
    customer_id: str  # who asks: must own from_account
    # A lower daily cap the channel applies on top of the KYC level (the customer's own limit,
    # the cooling-off after registering). It can only tighten: the bank's own limits still hold.
    daily_cap: Decimal | None = None


@dataclass(frozen=True)
class TransferResult:
    reference: str  # what the customer sees, e.g. "TX8F3K2Q"
    txn_id: int  # the debit's Transaction.txn_id on from_account
    from_account: str
    to_account: str
    amount: Decimal
    status: str
    created_at: datetime
    replayed: bool  # True when this is the stored first result of a repeated key


@dataclass(frozen=True)
class Claim:
    """Money held for a mobile number (P2P_CREATE without a wallet)."""

    claim_id: str
    customer_id: str  # the sender
    from_account: str
    msisdn: str  # the recipient
    amount: Decimal
    reference: str  # the sender's transfer
    status: str  # pending | claimed | refunded
    expires_at: datetime
    created_at: datetime


ZERO = Decimal("0.00")


class Limit(StrEnum):
    PER_TRANSACTION = "per_transaction"
    DAILY = "daily"
    MONTHLY = "monthly"


class LimitExceeded(BankError):
    """Over a limit; ``left`` is what could still be sent under it (0 when none)."""

    def __init__(self, limit: Limit, allowed: Decimal, left: Decimal) -> None:
        super().__init__(f"over the {limit.value} limit")
        self.limit = limit
        self.allowed = allowed
        self.left = left


@dataclass(frozen=True)
class LimitStatus:
    level: int
    per_transaction: Decimal
    daily: Decimal  # the daily limit in force (the lower of the KYC level's and the cap)
    monthly: Decimal
    used_today: Decimal
    used_month: Decimal

    @property
    def left_today(self) -> Decimal:
        return max(ZERO, min(self.daily - self.used_today, self.monthly - self.used_month))

    def refusal(self, amount: Decimal) -> LimitExceeded | None:
        """Why ``amount`` can't be sent now, or None. Exactly the limit passes."""
        if amount > self.per_transaction:
            return LimitExceeded(Limit.PER_TRANSACTION, self.per_transaction, self.per_transaction)
        if self.used_today + amount > self.daily:
            return LimitExceeded(Limit.DAILY, self.daily, self.left_today)
        if self.used_month + amount > self.monthly:
            return LimitExceeded(Limit.MONTHLY, self.monthly, self.left_today)
        return None


class CoreBanking(Protocol):
    """What Teller asks of a bank. Reads never move money; ``transfer`` is the only write."""

    def profile(self) -> BankProfile: ...

    def ping(self) -> None:
        """Return if the bank answers; raise (any exception) if it is unreachable."""
        ...

    def is_empty(self) -> bool: ...

    def customer_by_msisdn(self, msisdn: str) -> Customer | None:
        """The chat-banking directory: None for unknown numbers and for customers who are
        deliberately not registered for chat banking."""
        ...

    def customer(self, customer_id: str) -> Customer | None: ...

    def list_customers(self) -> list[Customer]: ...

    def verify_personal_details(self, customer_id: str, dob: date, national_id_last4: str) -> bool:
        """True only if both match; compared in constant time. Fails closed (False) for an
        unknown customer."""
        ...

    def accounts(self, customer_id: str) -> list[Account]: ...

    def cards(self, customer_id: str) -> list[Card]: ...

    def payees(self, customer_id: str) -> list[Payee]: ...

    def billers(self) -> list[Biller]: ...

    def other_banks(self) -> list[OtherBank]: ...

    def kyc_levels(self) -> list[KycLevel]: ...

    def set_kyc_level(self, level: KycLevel) -> None:
        """Replace a level's limits, or add the next level; in force for the next movement.
        Raises KycRefused (with every problem) and changes nothing
        when a rule is broken (amounts, per transaction ≤ daily ≤ monthly, level order)."""
        ...

    def set_customer_kyc_level(self, customer_id: str, level: int) -> None:
        """Move a customer to one of the bank's levels; KycRefused for an unknown customer or
        level."""
        ...

    def mini_statement(self, account_number: str, limit: int = 5) -> list[Transaction]:
        """The latest ``limit`` movements, newest first."""
        ...

    def transactions(
        self, account_number: str, since: datetime, until: datetime
    ) -> list[Transaction]:
        """Movements with ``since <= created_at < until``, oldest first (statement order)."""
        ...

    def transfer(self, req: TransferRequest) -> TransferResult:
        """Move money once per idempotency key, atomically, never overdrawing."""
        ...

    def wallet_of(self, msisdn: str) -> Account | None:
        """The wallet of the customer with this number, if they have one."""
        ...

    def hold_for_mobile(
        self, req: TransferRequest, msisdn: str, expires_at: datetime
    ) -> tuple[TransferResult, Claim]:
        """Debit the sender into the holding account for ``msisdn`` (one claim per
        idempotency key; a repeat returns the first result and claim)."""
        ...

    def claim(self, claim_id: str) -> Claim | None: ...

    def claim_by_token(self, digest: str) -> Claim | None:
        """The claim whose link token has this SHA-256 digest."""
        ...

    def set_claim_token(self, claim_id: str, digest: str) -> None: ...

    def claim_into_wallet(self, claim_id: str, wallet: str) -> Claim:
        """Pay a pending claim into the recipient's own wallet; raises ClaimGone."""
        ...

    def wallet_taken(self, msisdn: str, national_id: str) -> Taken | None:
        """Why no wallet can be opened for this number or national ID (one each), or None."""
        ...

    def open_wallet(self, opening: WalletOpening) -> OpenedWallet:
        """Create the customer and their wallet (lowest KYC level) and pay in the claims held
        for the number, in one transaction; raises WalletRefused (``bank.wallet_types``)."""
        ...

    def terms_accepted(self, customer_id: str) -> str | None:
        """The version of the terms a wallet's owner accepted when opening it."""
        ...

    def refund_claim(self, claim_id: str) -> Claim | None:
        """Return an expired pending claim to the sender (None: nothing to refund)."""
        ...

    def expired_claims(self) -> list[str]: ...

    def update_email(self, customer_id: str, email: str) -> None:
        """The customer's email address (where email codes and statements go)."""
        ...

    def change_card(self, customer_id: str, card_id: str, action: str) -> tuple[Card, Card | None]:
        """Lock, unlock, activate, cancel or replace a card; (the card, a replacement or None).
        Raises CardRefused."""
        ...

    def set_card_pin(self, customer_id: str, card_id: str, pin_hash: str) -> None:
        """A new PIN (its hash only) for the customer's active card; raises CardRefused."""
        ...

    def account_name(self, bank_code: str, number: str) -> str | None:
        """Name enquiry: the holder's name, or None when no such account is known."""
        ...

    def add_payee(self, customer_id: str, name: str, bank_code: str, number: str) -> Payee:
        """Save a payee for the customer (idempotent per bank and account)."""
        ...

    def limits(self, customer_id: str, daily_cap: Decimal | None = None) -> LimitStatus:
        """The customer's KYC limits now, and what they used today and this month."""
        ...

    def transfer_record(self, txn_id: int) -> TransferRecord | None:
        """The transfer whose debit is ``txn_id``; None for any other movement."""
        ...

    def transfer_by_reference(self, reference: str) -> TransferRecord | None: ...

    def date_of_birth(self, customer_id: str) -> date | None:
        """Only for the opt-in date-of-birth document password (``DOCUMENT_PASSWORD=dob``);
        nothing else reads a date of birth out of the bank."""
        ...
