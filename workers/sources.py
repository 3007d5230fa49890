"""Document models built from what the bank recorded, through the ``CoreBanking`` port.

The worker that renders a receipt and the page that verifies one both build it here, from the
same records, so the verification code computed at render time is the one recomputed later.
Every account number is masked on the way in (``messaging.masking``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from bank.ports import BILLER_BANK_CODE, Account, CoreBanking, Customer, TransferRecord
from messaging.masking import mask_account
from receipts.model import Party, Receipt, Statement, StatementLine

CHANNEL = "WhatsApp"
NO_FEE = Decimal("0.00")  # the demo bank charges none; a core system would report its own


def _recipient(bank: CoreBanking, record: TransferRecord, own_code: str) -> Party:
    if record.to_bank_code == BILLER_BANK_CODE:  # a bill: the biller by name, as the chat said
        biller = next((b.name for b in bank.billers() if b.code == record.to_account), "")
        return Party(biller or record.counterparty, "")
    masked = mask_account(record.to_account)
    saved = next(
        (
            p.name
            for p in bank.payees(record.customer_id)
            if (p.bank_code, p.account_number) == (record.to_bank_code, record.to_account)
        ),
        "",
    )
    if record.to_bank_code == own_code:
        # The ledger names the account holder for transfers inside the bank: "Name ••7890".
        name = saved or record.counterparty.removesuffix(masked).strip()
        return Party(name, masked)
    other = next((b.name for b in bank.other_banks() if b.code == record.to_bank_code), "")
    return Party(saved, masked, other or record.to_bank_code)


def receipt_for(
    bank: CoreBanking,
    record: TransferRecord,
    bank_name: str,
    zone: tzinfo = UTC,
    customer: Customer | None = None,
) -> Receipt:
    """The receipt of one recorded transfer, its time on the bank's clock (``zone``). The
    transfer's customer is read unless the caller has it already (the receipt job does)."""
    profile = bank.profile()
    if customer is None or customer.customer_id != record.customer_id:
        customer = bank.customer(record.customer_id)
    narration = record.narration if record.narration != "Transfer" else ""  # the default
    return Receipt(
        bank_name=bank_name,
        reference=record.reference,
        created_at=record.created_at.astimezone(zone),
        sender=Party(customer.name if customer else "", mask_account(record.from_account)),
        recipient=_recipient(bank, record, profile.code),
        amount=record.amount,
        fee=NO_FEE,
        currency=profile.currency,
        status=record.status,
        channel=CHANNEL,
        narration=narration,
    )


def day_start(day: date, zone: tzinfo = UTC) -> datetime:
    """Midnight at the start of ``day`` on the bank's clock."""
    return datetime.combine(day, time(0), zone)


def statement_for(
    bank: CoreBanking,
    customer: Customer,
    account: Account,
    first: date,
    last: date,
    *,
    now: datetime,
    reference: str,
    bank_name: str,
    zone: tzinfo = UTC,
) -> Statement:
    """Movements from the start of ``first`` to the end of ``last``, the bank's days (``zone``).
    The opening balance is today's balance less everything booked since ``first``, so it is
    right even when the period has no movement."""
    since, until = day_start(first, zone), day_start(last + timedelta(days=1), zone)
    booked = bank.transactions(account.number, since, max(until, now) + timedelta(days=1))
    opening = account.balance - sum((t.amount for t in booked), Decimal("0.00"))
    lines = tuple(
        StatementLine(
            at=t.created_at.astimezone(zone),
            description=" · ".join(part for part in (t.description, t.counterparty) if part),
            reference=t.reference,
            amount=t.amount,
            balance=t.balance_after,
        )
        for t in booked
        if t.created_at < until
    )
    return Statement(
        bank_name=bank_name,
        holder=customer.name,
        account=mask_account(account.number),
        account_type=account.type,
        currency=account.currency,
        first=first,
        last=last,
        opening=opening,
        lines=lines,
        generated_at=now.astimezone(zone),
        reference=reference,
    )
