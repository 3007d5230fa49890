"""Finding a customer from what a caller tells staff: their number (in full as +E164, or its last
4 or more digits, spaces and a leading 0 allowed), their chat-banking ID, any part of their name
(any case, words in any order) or the bank's customer ID. One box takes all four; a query is
tried as each that it could be, and a result says what it matched.

Results show what identifies a customer to staff — name, customer ID, masked number, segment,
KYC level, chat-banking status — never a full number. Searching reads the bank's customer list
(``CoreBanking.list_customers``): a bank with millions of customers would answer this from its
own search instead, behind the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from auth.stores.credentials import LOGIN_ID, AccountStatus, Credentials, CredentialStore
from bank.ports import CoreBanking, Customer
from messaging.masking import mask_phone

MAX_QUERY = 100
MAX_RESULTS = 50
MIN_DIGITS = 4
MIN_NAME = 2
_SEPARATORS = re.compile(r"[\s().-]")


class By(StrEnum):
    NUMBER = "number"
    LOGIN_ID = "chat-banking ID"
    NAME = "name"
    CUSTOMER_ID = "customer ID"


# What an exact key matched ranks above a part of a name.
_RANK = {By.CUSTOMER_ID: 0, By.LOGIN_ID: 0, By.NUMBER: 1, By.NAME: 2}


@dataclass(frozen=True)
class Found:
    customer: Customer
    by: tuple[By, ...]
    chat_banking: str  # registered · not registered · blocked · phone reported lost · …

    @property
    def number(self) -> str:
        return mask_phone(self.customer.msisdn)

    @property
    def matched(self) -> str:
        return ", ".join(b.value for b in self.by)


@dataclass(frozen=True)
class Results:
    query: str
    found: tuple[Found, ...] = ()
    more: int = 0  # matches beyond the ones shown
    problem: str = ""  # why the query was not searched

    @property
    def searched(self) -> bool:
        return bool(self.query) and not self.problem


def chat_banking_status(customer: Customer, creds: Credentials | None) -> str:
    """The customer's chat-banking standing in two or three words."""
    if not customer.chat_banking:
        return "not in chat banking"
    if creds is None:
        return "not registered"
    return {
        AccountStatus.REGISTERED: "registered",
        AccountStatus.BLOCKED: "blocked by the bank",
        AccountStatus.LOST_PHONE: "phone reported lost",
    }[creds.status]


def _number_matches(query: str) -> tuple[str | None, list[str]]:
    """(a full +E164 to match exactly, or None; the digit endings to match), or a problem."""
    compact = _SEPARATORS.sub("", query)
    if compact.startswith("+") and compact[1:].isdigit():
        return compact, []
    if not (compact.isascii() and compact.isdigit()):
        return None, []
    endings = [compact]
    national = compact.lstrip("0")  # 0803 000 0001: the national trunk prefix dropped
    if national != compact and len(national) >= MIN_DIGITS + 3:
        endings.append(national)
    return None, endings


def problem_of(query: str) -> str:
    """Why ``query`` can't be searched ("" when it can)."""
    compact = _SEPARATORS.sub("", query)
    if len(query) > MAX_QUERY:
        return f"Keep it to {MAX_QUERY} characters."
    if compact.lstrip("+").isdigit() and len(compact.lstrip("+")) < MIN_DIGITS:
        return f"Type at least the last {MIN_DIGITS} digits of the number."
    if len(compact) < MIN_NAME:
        return (
            f"Type at least {MIN_NAME} letters of the name, the last {MIN_DIGITS} or more digits "
            "of the number, or the chat-banking ID."
        )
    return ""


def _keys(customer: Customer, query: str, owner: str | None) -> tuple[By, ...]:
    exact, endings = _number_matches(query)
    digits = customer.msisdn.lstrip("+")
    words = query.casefold().split()
    found = []
    if customer.customer_id.casefold() == query.casefold():
        found.append(By.CUSTOMER_ID)
    if owner is not None and owner == customer.msisdn:
        found.append(By.LOGIN_ID)
    if exact == customer.msisdn or any(digits.endswith(e) for e in endings):
        found.append(By.NUMBER)
    if words and all(word in customer.name.casefold() for word in words):
        found.append(By.NAME)
    return tuple(found)


def search(bank: CoreBanking, credentials: CredentialStore, query: str) -> Results:
    """The customers ``query`` names (best first, at most ``MAX_RESULTS``), or why not."""
    query = " ".join(query.split())
    if not query:
        return Results("")
    problem = problem_of(query)
    if problem:
        return Results(query, problem=problem)
    owner = credentials.owner_of(query) if LOGIN_ID.fullmatch(query) else None
    matches = [
        (customer, keys)
        for customer in bank.list_customers()
        if (keys := _keys(customer, query, owner))
    ]
    matches.sort(key=lambda m: (min(_RANK[k] for k in m[1]), m[0].name.casefold()))
    shown = [
        Found(customer, keys, chat_banking_status(customer, credentials.get(customer.msisdn)))
        for customer, keys in matches[:MAX_RESULTS]
    ]
    return Results(query, tuple(shown), more=max(0, len(matches) - MAX_RESULTS))
