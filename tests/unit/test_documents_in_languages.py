"""Receipts and statements in the customer's language: French and Arabic labels, amounts and
dates in the PDF's text (Arabic shaped, in DejaVu Sans, laid out right to left), and a clear
refusal when the font is missing."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from messaging.languages import text
from receipts import shaping
from receipts.model import Party, Receipt, Statement, StatementLine
from receipts.render import render_receipt
from receipts.statement import render_statement
from receipts.wording import DOCUMENTS, Wording

LAGOS = ZoneInfo("Africa/Lagos")
AT = datetime(2026, 11, 2, 10, 14, tzinfo=LAGOS)
RECEIPT = Receipt(
    "Demo Bank",
    "TX8F3K2",
    AT,
    Party("Amina Yusuf", "••6789"),
    Party("Chidi Okeke", "••4321", "Access Bank"),
    Decimal("1500.00"),
    Decimal("0.00"),
    "USD",
    "completed",
    "WhatsApp",
)
LINES = tuple(
    StatementLine(AT.replace(day=d), f"Transfer {d}", f"TX{d:04d}", Decimal("-150"), Decimal("900"))
    for d in range(1, 4)
)
STATEMENT = Statement(
    "Demo Bank", "Amina Yusuf", "••6789", "savings", "USD", date(2026, 10, 1),
    date(2026, 10, 31), Decimal("1350.00"), LINES, AT, "ST7K2M9Q",
)  # fmt: skip


def wording(language: str) -> Wording:
    return Wording(language, {k: text(k, en, language) for k, en in DOCUMENTS.items()})


def pdf_text(pdf: bytes) -> str:
    # Arabic is drawn in its presentation forms; NFKC gives the letters back.
    pages = PdfReader(BytesIO(pdf)).pages
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in pages))


def test_a_french_receipt_and_statement() -> None:
    receipt = pdf_text(render_receipt(RECEIPT, "ABCD-EFGH", "https://x/verify", wording("fr")))
    assert "Reçu de transaction" in receipt and "Total débité" in receipt
    assert "1 500,00 $US" in receipt and "02 nov. 2026, 10:14 WAT" in receipt
    statement = pdf_text(render_statement(STATEMENT, wording("fr")))
    assert "Relevé de compte (USD)" in statement and "Épargne ••6789" in statement
    assert "du 01 oct. 2026 au 31 oct. 2026" in statement and "Page 1 sur 1" in statement


def test_an_arabic_receipt_and_statement() -> None:
    receipt = pdf_text(render_receipt(RECEIPT, "ABCD-EFGH", "https://x/verify", wording("ar")))
    assert "إيصال عملية" in receipt and "المرجع" in receipt and "1,500.00 US$" in receipt
    statement = pdf_text(render_statement(STATEMENT, wording("ar")))
    assert "كشف حساب" in statement and "الرصيد الختامي" in statement


def test_english_keeps_its_words() -> None:
    receipt = pdf_text(render_receipt(RECEIPT, "ABCD-EFGH", "https://x/verify"))
    assert "Transaction receipt" in receipt and "USD 1,500.00" in receipt
    statement = pdf_text(render_statement(STATEMENT))
    assert "Account statement (USD)" in statement and "Savings ••6789" in statement


def test_an_arabic_line_is_shaped_and_reordered_but_a_latin_value_is_not() -> None:
    shaped = shaping.visual("المرجع", True)
    assert shaped != "المرجع" and unicodedata.normalize("NFKC", shaped) == "المرجع"[::-1]
    assert shaping.visual("Chidi Okeke (Access Bank ••4321)", True) == (
        "Chidi Okeke (Access Bank ••4321)"
    )
    assert shaping.visual("\u200f150.00\xa0US$", True) == "150.00\xa0US$"


def test_a_missing_font_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shaping, "DEJAVU_DIRS", (tmp_path,))
    with pytest.raises(shaping.FontMissing, match="fonts-dejavu-core"):
        shaping.register_dejavu.__wrapped__()
