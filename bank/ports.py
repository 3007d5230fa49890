"""The core-banking port: what Teller needs from a bank, as frozen data and one Protocol.

Amounts are ``Decimal``, times are aware ``datetime``. ``Customer`` carries no date of birth or
national id: flows never see them; the bank only answers whether details match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class BankProfile:
    name: str
    currency: str
    code: str


@dataclass(frozen=True)
class OtherBank:
    code: str
    name: str


@dataclass(frozen=True)
class Biller:
    code: str
    name: str
    reference_label: str
    reference_pattern: str


@dataclass(frozen=True)
class KycLevel:
    level: int
    per_transaction: Decimal
    daily: Decimal
    monthly: Decimal


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    msisdn: str
    email: str
    kyc_level: int


@dataclass(frozen=True)
class Account:
    number: str
    customer_id: str
    type: str
    currency: str
    balance: Decimal


@dataclass(frozen=True)
class Card:
    card_id: str
    customer_id: str
    pan: str
    status: str


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
class TransferRequest:
    idempotency_key: str
    customer_id: str
    from_account: str
    to_account: str
    to_bank_code: str
    amount: Decimal
    narration: str = ""


@dataclass(frozen=True)
class TransferResult:
    reference: str
    from_account: str
    to_account: str
    amount: Decimal
    status: str
    created_at: datetime
    replayed: bool = False


class BankError(Exception):
    """Base of every refusal the bank gives; each subclass carries its data."""


class InvalidAmount(BankError):
    def __init__(self, amount: Decimal) -> None:
        super().__init__("amount must be positive with at most 2 decimals")
        self.amount = amount


class InsufficientFunds(BankError):
    def __init__(self, available: Decimal) -> None:
        super().__init__("insufficient funds")
        self.available = available


class UnknownAccount(BankError):
    def __init__(self, number: str) -> None:
        super().__init__("unknown account")
        self.number = number


class AccountNotOwned(BankError):
    def __init__(self, number: str) -> None:
        super().__init__("the account does not belong to this customer")
        self.number = number


class IdempotencyConflict(BankError):
    def __init__(self, key: str) -> None:
        super().__init__("idempotency key reused with different facts")
        self.key = key


class CoreBanking(Protocol):
    def profile(self) -> BankProfile: ...
    def ping(self) -> None: ...
    def is_empty(self) -> bool: ...
    def customer_by_msisdn(self, msisdn: str) -> Customer | None: ...
    def customer(self, customer_id: str) -> Customer | None: ...
    def list_customers(self) -> list[Customer]: ...
    def verify_personal_details(
        self, customer_id: str, dob: date, national_id_last4: str
    ) -> bool: ...
    def accounts(self, customer_id: str) -> list[Account]: ...
    def cards(self, customer_id: str) -> list[Card]: ...
    def payees(self, customer_id: str) -> list[Payee]: ...
    def billers(self) -> list[Biller]: ...
    def other_banks(self) -> list[OtherBank]: ...
    def kyc_levels(self) -> list[KycLevel]: ...
    def mini_statement(self, account_number: str, limit: int = 5) -> list[Transaction]: ...
    def transfer(self, request: TransferRequest) -> TransferResult: ...
