"""From the words of a one-line request to the customer's own payees, billers and accounts.

The candidates ``flows.matching`` compares a name with, built the same way everywhere (so
``savings``, ``6789`` and ``savings ••6789`` all name the same account, and a biller answers to
its code), and ``resolve_pay``: whether ``pay X`` pays a person or a bill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bank.ports import Account, Biller, Payee
from flows.matching import Candidate, Match, match
from flows.phrases import Intent, Request

PAYEE, BILLER = "payee:", "biller:"


def payee_candidates(payees: Iterable[Payee]) -> list[Candidate]:
    return [Candidate(f"{PAYEE}{p.payee_id}", p.name) for p in payees]


def biller_candidates(billers: Iterable[Biller]) -> list[Candidate]:
    return [Candidate(f"{BILLER}{b.code}", b.name, (b.code,)) for b in billers]


def account_candidates(accounts: Iterable[Account]) -> list[Candidate]:
    """An account is named by its type, its last 4 digits or both (``id`` is its number)."""
    return [Candidate(a.number, f"{a.type} {a.number[-4:]}") for a in accounts]


def is_biller(candidate: Candidate) -> bool:
    return candidate.id.startswith(BILLER)


def settle(request: Request, chosen: Candidate) -> Request:
    """The PAY as a bill or a transfer, once its name is known to be ``chosen``."""
    return request.as_bill() if is_biller(chosen) else request.as_transfer()


def resolve_pay(
    request: Request, payees: Sequence[Candidate], billers: Sequence[Candidate]
) -> tuple[Request, Match]:
    """What ``pay X`` means, and the match for X.

    X is matched against payees and billers together, so the strongest match decides across
    both (``pay kplc`` is the biller's code even if a payee's name starts with Kplc) and equals
    across both become one numbered choice: then the request stays PAY, and the customer's pick
    goes through ``settle``. Without a match a reference means a bill (the flow asks which
    biller, saying X wasn't found); otherwise a transfer (the flow offers a new payee).
    """
    if request.intent is not Intent.PAY:
        raise ValueError(f"resolve_pay needs a PAY request, not {request.intent}")
    found = Match() if request.to is None else match(request.to, [*billers, *payees])
    if found.unique is not None:
        return settle(request, found.unique), found
    if found.ambiguous:
        return request, found
    return (request.as_bill() if request.reference else request.as_transfer()), found
