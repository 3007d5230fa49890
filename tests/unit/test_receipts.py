"""The receipts package on its own: models that refuse what must never be printed, PDFs that
open only with their password (AES-256, /V 5 /R 6), masked text, clean metadata, statements that
run over many pages, and verification codes that catch a changed fact."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from receipts import verification
from receipts.model import InvalidDocument, Party, Receipt, Statement, StatementLine
from receipts.protect import (
    PASSWORD_ALPHABET,
    PASSWORD_LENGTH,
    dob_password,
    protect,
    random_password,
)
from receipts.render import render_receipt
from receipts.statement import render_statement

KEY = verification.derive_key("test-secret-key")
RECEIPT = Receipt(
    bank_name="Demo Bank",
    reference="TX8F3K2Q",
    created_at=datetime(2026, 11, 2, 9, 14, tzinfo=UTC),
    sender=Party("Amina Yusuf", "••6789"),
    recipient=Party("Chidi Okeke", "••4321", "Access Bank"),
    amount=Decimal("150.00"),
    fee=Decimal("0.00"),
    currency="USD",
    status="completed",
    channel="WhatsApp",
    narration="Rent",
)


def opened(pdf: bytes, password: str) -> PdfReader:
    reader = PdfReader(BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    return reader


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def protected_receipt(password: str = "K7M2P9QXRT") -> bytes:  # noqa: S107
    code = verification.code_for(RECEIPT, KEY)
    return protect(
        render_receipt(RECEIPT, code, "https://teller.test/verify"),
        password,
        title="Transaction receipt",
        author="Demo Bank",
    )


def statement(lines: int, opening: Decimal = Decimal("1000.00")) -> Statement:
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    balance = opening
    rows = []
    for n in range(lines):
        amount = Decimal("250.00") if n % 4 == 0 else Decimal("-12.34")
        balance += amount
        rows.append(
            StatementLine(
                start + timedelta(hours=5 * n), f"Payment {n}", f"TX{n:06d}", amount, balance
            )
        )
    return Statement(
        bank_name="Demo Bank",
        holder="Amina Yusuf",
        account="••6789",
        account_type="savings",
        currency="USD",
        first=date(2026, 1, 1),
        last=date(2026, 4, 30),
        opening=opening,
        lines=tuple(rows),
        generated_at=datetime(2026, 5, 1, tzinfo=UTC),
        reference="ST7K2M9Q",
    )


def test_the_model_refuses_full_numbers_naive_times_and_floats() -> None:
    with pytest.raises(InvalidDocument, match="account"):
        Party("Amina Yusuf", "0123456789")
    with pytest.raises(InvalidDocument, match="account"):
        Party("Amina Yusuf", "••456789")
    with pytest.raises(InvalidDocument, match="created_at"):
        replace(RECEIPT, created_at=datetime(2026, 11, 2, 9, 14))
    with pytest.raises(InvalidDocument, match="amount"):
        replace(RECEIPT, amount=150.0)
    with pytest.raises(InvalidDocument, match="amount"):
        replace(RECEIPT, amount=Decimal("-1.00"))


def test_a_receipt_opens_with_its_password_and_shows_only_masked_numbers() -> None:
    reader = opened(protected_receipt(), "K7M2P9QXRT")
    text = text_of(reader)
    for fact in (
        "Demo Bank",
        "Transaction receipt",
        "TX8F3K2Q",
        "02 Nov 2026, 09:14 UTC",
        "Amina Yusuf (••6789)",
        "Chidi Okeke (Access Bank ••4321)",
        "USD 150.00",
        "Fee",
        "Completed",
        "WhatsApp",
        verification.code_for(RECEIPT, KEY),
        "https://teller.test/verify",
    ):
        assert fact in text, fact
    assert "0123456789" not in text and "0987654321" not in text


def test_encryption_is_aes_256_revision_6_and_the_wrong_password_fails() -> None:
    pdf = protected_receipt()
    reader = PdfReader(BytesIO(pdf))
    encrypt = reader.trailer["/Encrypt"]
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert not reader.decrypt("WRONGPASS1")
    with pytest.raises(FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert b"Amina" not in pdf and b"6789" not in pdf  # nothing readable without the key


def test_metadata_carries_no_personal_data() -> None:
    reader = opened(protected_receipt(), "K7M2P9QXRT")
    info = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert info["/Title"] == "Transaction receipt"
    joined = " ".join(info.values())
    for personal in ("Amina", "Yusuf", "Chidi", "6789", "4321", "TX8F3K2Q"):
        assert personal not in joined


def test_passwords_are_random_unambiguous_and_dob_is_ddmmyyyy() -> None:
    passwords = {random_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) == PASSWORD_LENGTH
        assert set(password) <= set(PASSWORD_ALPHABET)
    assert not set("01OIL") & set(PASSWORD_ALPHABET)
    assert dob_password(date(1990, 4, 12)) == "12041990"


def test_a_500_transaction_statement_runs_over_numbered_pages_with_totals() -> None:
    doc = statement(500)
    pdf = protect(render_statement(doc), "STATEMENT1", title="Account statement", author="Bank")
    reader = opened(pdf, "STATEMENT1")
    pages = len(reader.pages)
    assert pages >= 8
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert f"Page 1 of {pages}" in first and f"Page {pages} of {pages}" in last
    assert "Savings ••6789" in first and "Amina Yusuf" in first
    assert "Date" in reader.pages[3].extract_text()  # the header repeats on every page
    text = text_of(reader)
    for n in (0, 250, 499):
        assert f"TX{n:06d}" in text
    assert f"{doc.closing:,.2f}" in last and "Closing balance" in last
    # Running balance: opening + every movement = the closing balance printed.
    assert doc.closing == doc.opening + sum(line.amount for line in doc.lines)
    assert doc.lines[-1].balance == doc.closing
    assert f"{doc.credits:,.2f}" in text and f"{doc.debits:,.2f}" in text


def test_an_empty_statement_still_renders_its_balances() -> None:
    doc = statement(0, opening=Decimal("740.25"))
    reader = PdfReader(BytesIO(render_statement(doc)))
    text = text_of(reader)
    assert "Opening balance" in text and "740.25" in text and "Page 1 of 1" in text


def test_verification_codes_catch_any_changed_fact() -> None:
    code = verification.code_for(RECEIPT, KEY)
    assert re.fullmatch(r"TX8F3K2Q(-[2-9A-HJ-NP-Z]{4}){4}", code)
    parsed = verification.parse(code.lower().replace("-", " "))
    assert parsed is not None
    reference, tag = parsed
    assert reference == "TX8F3K2Q"
    assert verification.matches(RECEIPT, tag, KEY)
    for changed in (
        replace(RECEIPT, amount=Decimal("1500.00")),
        replace(RECEIPT, recipient=Party("Chidi Okeke", "••4322", "Access Bank")),
        replace(RECEIPT, created_at=RECEIPT.created_at + timedelta(minutes=1)),
    ):
        assert not verification.matches(changed, tag, KEY)
    assert not verification.matches(RECEIPT, tag, verification.derive_key("another-key"))
    assert verification.parse("TX8F3K2Q-1111") is None
    assert verification.parse("") is None
