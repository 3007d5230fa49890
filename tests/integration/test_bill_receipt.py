"""A bill's receipt names the biller the chat named (``City Power``), never the bank's internal
biller code or a masked code."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from app import Services
from bank.ports import BILLER_BANK_CODE, TransferRequest
from receipts import verification
from receipts.protect import protect
from receipts.render import render_receipt
from tests.documents import AMINA_ID, AMINA_SAVINGS, pdf_text
from workers.sources import receipt_for


def test_a_bill_receipt_names_the_biller(services: Services) -> None:
    request = TransferRequest(
        "bill-1", AMINA_SAVINGS, "ELEC", BILLER_BANK_CODE, Decimal("45.50"),
        "Meter number 01234567890", AMINA_ID,
    )  # fmt: skip
    done = services.bank.transfer(request)
    record = services.bank.transfer_by_reference(done.reference)
    assert record is not None
    receipt = receipt_for(services.bank, record, "Demo Bank")
    assert receipt.recipient.line() == "City Power"
    pdf = protect(
        render_receipt(receipt, "CODE-1", "https://bank.example"), "pw", title="t", author="a"
    )
    text = " ".join(pdf_text(pdf, "pw").split())
    assert "To City Power" in text and "BILLER" not in text and "••••" not in text
    assert "Meter number 01234567890" in text


def test_a_receipt_shows_the_banks_clock_and_its_code_does_not_depend_on_it(
    services: Services,
) -> None:
    request = TransferRequest(
        "bill-2", AMINA_SAVINGS, "ELEC", BILLER_BANK_CODE, Decimal("10.00"), "x", AMINA_ID
    )
    record = services.bank.transfer_by_reference(services.bank.transfer(request).reference)
    assert record is not None
    lagos = receipt_for(services.bank, record, "Demo Bank", ZoneInfo("Africa/Lagos"))
    utc = receipt_for(services.bank, record, "Demo Bank")
    pdf = protect(
        render_receipt(lagos, "CODE-1", "https://bank.example"), "pw", title="t", author="a"
    )
    assert "02 Nov 2026, 10:00 WAT" in " ".join(pdf_text(pdf, "pw").split())  # 09:00 UTC
    key = services.verify_key
    assert verification.code_for(lagos, key) == verification.code_for(utc, key)
