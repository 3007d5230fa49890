"""What the audit says of a money movement or a card change (``RecordMovement``): the event by
kind (a transfer, a bill, a payment to a mobile number's wallet, money held for a number that
has none, a card change), the result (``success``, ``refused`` with the refusal's kind,
``replayed``: a repeated ``yes`` that moved nothing) and only masked facts: accounts ••6789,
numbers +234•••••0001, cards ••4242, a bill reference ••8901; a biller by its code. Never a
full number, someone else's name, a PIN or a code.

Recorded where the answer is known, as an effect of the same outcome that tells the customer
(``movement.execute``, ``cards.execute``), so a movement the chat reports is a movement the
audit holds; money moved outside the chat (a claim, a refund) is recorded where it moves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bank.ports import (
    BILLER_BANK_CODE,
    P2P_HOLD_CODE,
    BankError,
    LimitExceeded,
    TransferRequest,
    TransferResult,
)
from flows.effects import RecordMovement
from messaging.masking import mask_account, mask_phone

SUCCESS, REFUSED, REPLAYED = "success", "refused", "replayed"


def refusal_kind(exc: BankError) -> str:
    """``InsufficientFunds`` → ``insufficient_funds``; a limit names which (``limit.daily``)."""
    if isinstance(exc, LimitExceeded):
        return f"limit.{exc.limit.value}"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def event_of(request: TransferRequest, slots: Mapping[str, Any]) -> str:
    if request.to_bank_code == BILLER_BANK_CODE:
        return "money.bill"
    if request.to_bank_code == P2P_HOLD_CODE:
        return "money.p2p_hold"
    if slots.get("mobile"):
        return "money.p2p"
    return "money.transfer"


def parties(request: TransferRequest, slots: Mapping[str, Any]) -> str:
    """Who paid whom, masked: the source account and where the money went."""
    source = f"from {mask_account(request.from_account)}"
    if request.to_bank_code == BILLER_BANK_CODE:
        reference = mask_account(str(slots.get("reference", "")))
        return f"{source} to biller {request.to_account} ref {reference}"
    if request.to_bank_code == P2P_HOLD_CODE:
        return f"{source} to {mask_phone(request.to_account)} (held)"
    if slots.get("mobile"):
        wallet = mask_account(request.to_account)
        return f"{source} to {mask_phone(str(slots['mobile']))} (wallet {wallet})"
    return f"{source} to {mask_account(request.to_account)} at {request.to_bank_code}"


def movement(
    request: TransferRequest,
    slots: Mapping[str, Any],
    currency: str,
    *,
    done: TransferResult | None = None,
    refused: BankError | None = None,
) -> RecordMovement:
    """The entry of one movement: done (a success, or a replay of the first result) or refused."""
    amount = done.amount if done is not None else request.amount
    facts = {
        "event": event_of(request, slots),
        "amount": f"{currency} {amount:.2f}",
        "parties": parties(request, slots),
    }
    if refused is not None:
        return RecordMovement(result=REFUSED, reason=refusal_kind(refused), **facts)
    assert done is not None
    result = REPLAYED if done.replayed else SUCCESS
    return RecordMovement(result=result, reference=done.reference, **facts)
