"""A receipt as PDF bytes (reportlab, one A5 page drawn directly on a canvas).

Drawing on the canvas rather than through platypus keeps a receipt to a few milliseconds: it is
rendered once per money movement, on the worker, while the customer waits for it.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from receipts.layout import (
    BOLD,
    BRAND,
    FONT,
    INK,
    LINE,
    MUTED,
    SHADE,
    metadata,
    money,
    register_fonts,
    when,
)
from receipts.model import Receipt

WIDTH, HEIGHT = A5
MARGIN = 14 * mm
TITLE = "Transaction receipt"


def _rows(receipt: Receipt) -> list[tuple[str, str]]:
    rows = [
        ("Reference", receipt.reference),
        ("Date and time", when(receipt.created_at)),
        ("From", receipt.sender.line()),
        ("To", receipt.recipient.line()),
        ("Amount", money(receipt.amount, receipt.currency)),
        ("Fee", money(receipt.fee, receipt.currency)),
        ("Total debited", money(receipt.total, receipt.currency)),
        ("Status", receipt.status.capitalize()),
        ("Channel", receipt.channel),
    ]
    if receipt.narration:
        rows.append(("Description", receipt.narration[:60]))
    return rows


def render_receipt(receipt: Receipt, verification_code: str, verify_url: str) -> bytes:
    """The receipt's PDF, unprotected: ``receipts.protect`` encrypts it before it leaves."""
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A5, pageCompression=1)
    metadata(canvas, receipt.bank_name, TITLE)
    # Header band: the bank and what this document is.
    canvas.setFillColor(BRAND)
    canvas.rect(0, HEIGHT - 30 * mm, WIDTH, 30 * mm, stroke=0, fill=1)
    canvas.setFillColor("white")
    canvas.setFont(BOLD, 16)
    canvas.drawString(MARGIN, HEIGHT - 14 * mm, receipt.bank_name)
    canvas.setFont(FONT, 11)
    canvas.drawString(MARGIN, HEIGHT - 22 * mm, TITLE)
    # The amount, large, then every fact as a label/value row.
    y = HEIGHT - 44 * mm
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 20)
    canvas.drawString(MARGIN, y, money(receipt.amount, receipt.currency))
    canvas.setFont(FONT, 9)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, y - 6 * mm, f"{receipt.status.capitalize()} · {receipt.reference}")
    y -= 16 * mm
    for label, value in _rows(receipt):
        canvas.setStrokeColor(LINE)
        canvas.line(MARGIN, y - 2.5 * mm, WIDTH - MARGIN, y - 2.5 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, y, label)
        canvas.setFillColor(INK)
        canvas.setFont(BOLD if label in ("Amount", "Total debited") else FONT, 10)
        canvas.drawRightString(WIDTH - MARGIN, y, value)
        y -= 9 * mm
    # The verification code, boxed, with where to check it.
    y -= 4 * mm
    canvas.setFillColor(SHADE)
    canvas.roundRect(MARGIN, y - 16 * mm, WIDTH - 2 * MARGIN, 20 * mm, 2 * mm, stroke=0, fill=1)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8)
    canvas.drawString(MARGIN + 4 * mm, y - 2 * mm, "Verification code")
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN + 4 * mm, y - 8.5 * mm, verification_code)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8)
    canvas.drawString(
        MARGIN + 4 * mm, y - 13.5 * mm, f"Check that this receipt is genuine at {verify_url}"
    )
    _footer(canvas, receipt.bank_name)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _footer(canvas: Canvas, bank_name: str) -> None:
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 7.5)
    lines = (
        f"This receipt was generated automatically by {bank_name} and needs no signature.",
        "Account numbers are masked.",
        "We never ask for your PIN or password, nor for a code you did not request.",
    )
    for n, text in enumerate(lines):
        canvas.drawString(MARGIN, 14 * mm - n * 4 * mm, text)
