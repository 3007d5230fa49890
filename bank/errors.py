"""The bank's refusals: each a ``BankError`` carrying its data, raised by an adapter and turned
into words only at the edge. Messages never hold a full account number: exception text ends
up in logs. ``bank.ports`` re-exports them, the one name callers import from.
"""

from __future__ import annotations

from decimal import Decimal


class BankError(Exception):
    """Base of every refusal the bank gives; each subclass carries its data."""


class BankUnavailable(Exception):
    """The bank could not be reached or is busy (its write lock held past the busy timeout):
    nothing was written, and the same request may simply be tried again. Not a ``BankError``:
    it is no refusal, and no handler of refusals may turn it into one."""


class InvalidAmount(BankError):
    def __init__(self, amount: Decimal) -> None:
        super().__init__("amount must be positive with at most 2 decimals")
        self.amount = amount


class InsufficientFunds(BankError):
    def __init__(self, available: Decimal) -> None:
        super().__init__("insufficient funds")
        self.available = available


class UnknownAccount(BankError):
    # The message never contains the number: exception text ends up in logs.
    def __init__(self, number: str) -> None:
        super().__init__("unknown account")
        self.number = number


class ClaimGone(BankError):
    """The claim is unknown, already claimed or refunded, or expired."""

    def __init__(self, claim_id: str) -> None:
        super().__init__("claim not available")
        self.claim_id = claim_id


class CardRefused(BankError):
    """The card isn't the customer's (``status`` "unknown"), or its status forbids the change."""

    def __init__(self, card_id: str, status: str) -> None:
        super().__init__(f"card change refused: card is {status}")
        self.card_id = card_id
        self.status = status


class UnknownBank(BankError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown bank code {code!r}")
        self.code = code


class AccountNotOwned(BankError):
    def __init__(self, number: str, customer_id: str) -> None:
        super().__init__("the account does not belong to this customer")
        self.number = number
        self.customer_id = customer_id


class KycRefused(BankError):
    """A KYC change that breaks a rule; ``problems`` has one message per problem, each starting
    with its field (``daily: ...``). Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("KYC change refused: " + "; ".join(problems))
        self.problems = problems


class IdempotencyConflict(BankError):
    """The key was already used for a transfer with other facts (amount, accounts, customer)."""

    def __init__(self, key: str) -> None:
        super().__init__("idempotency key reused with different facts")
        self.key = key
