"""What opening a wallet asks of the bank and what it answers (``CoreBanking.open_wallet``).

The bank creates the customer and their wallet account at the lowest KYC level and pays in any
money already held for their number, all in one transaction: either everything exists
afterwards or nothing does. One wallet per national ID and per number: a second one is refused
with ``WalletRefused`` (its ``reason`` says which), checked again inside that transaction, so two
openings racing can't both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bank.errors import BankError
from bank.ports import Account, Claim, Customer


class Taken(StrEnum):
    NUMBER = "number_taken"  # the number is already a customer's (with or without chat banking)
    NATIONAL_ID = "national_id_taken"  # a customer already holds this national ID


class WalletRefused(BankError):
    def __init__(self, reason: Taken) -> None:
        super().__init__(f"wallet refused: {reason.value}")
        self.reason = reason


@dataclass(frozen=True)
class WalletOpening:
    """A verified person's wallet: the national ID was checked before (``KycVerifier``)."""

    name: str
    msisdn: str  # E.164, proven by an SMS code
    email: str
    dob: date
    national_id: str
    terms_version: str  # the version of the bank's terms the person accepted


@dataclass(frozen=True)
class OpenedWallet:
    customer: Customer
    wallet: Account  # balance: what the claims paid in (0.00 without any)
    claims: tuple[Claim, ...]  # the held money paid into the wallet, each exactly once
