"""A receipt as PDF bytes (reportlab, one A5 page drawn directly on a canvas).

Drawing on the canvas rather than through platypus keeps a receipt to a few milliseconds: it is
rendered once per money movement, on the worker, while the customer waits for it.

It is written in the ``Wording``'s language (``receipts.wording``): English in Vera as always;
another language in DejaVu Sans, and a right-to-left one mirrored (labels on the right, values
on the left) with its text shaped (``receipts.shaping``).
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
    register_fonts,
)
from receipts.model import Receipt
from receipts.shaping import BOLD as DEJAVU_BOLD
from receipts.shaping import FONT as DEJAVU
from receipts.shaping import register_dejavu, visual
from receipts.wording import RECEIPT as TEXTS
from receipts.wording import Wording

WIDTH, HEIGHT = A5
MARGIN = 14 * mm
TITLE = TEXTS["receipt.title"]


ENGLISH = Wording()
STRONG = ("receipt.amount", "receipt.total")


def _rows(receipt: Receipt, say: Wording) -> list[tuple[str, str, str]]:
    """(key, label, value) for every fact."""
    amount = say.money
    rows = [
        ("receipt.reference", receipt.reference),
        ("receipt.when", say.when(receipt.created_at)),
        ("receipt.from", receipt.sender.line()),
        ("receipt.to", receipt.recipient.line()),
        ("receipt.amount", amount(receipt.amount, receipt.currency)),
        ("receipt.fee", amount(receipt.fee, receipt.currency)),
        ("receipt.total", amount(receipt.total, receipt.currency)),
        ("receipt.status", _status(receipt, say)),
        ("receipt.channel", receipt.channel),
    ]
    if receipt.narration:
        rows.append(("receipt.description", receipt.narration[:60]))
    return [(key, say(key), value) for key, value in rows]


def _status(receipt: Receipt, say: Wording) -> str:
    key = f"receipt.status.{receipt.status}"
    return (
        say(key)
        if key in say.texts or (say.english and key in TEXTS)
        else receipt.status.capitalize()
    )


class _Page:
    """Draws on the canvas in the wording's direction: x is measured from the line's start
    (the left in English, the right in Arabic), and text is shaped for its script."""

    def __init__(self, canvas: Canvas, say: Wording) -> None:
        self.canvas = canvas
        self.rtl = say.rtl
        self.regular, self.bold = (FONT, BOLD) if say.english else (DEJAVU, DEJAVU_BOLD)

    def start(self, x: float, y: float, text: str) -> None:
        if self.rtl:
            self.canvas.drawRightString(WIDTH - x, y, visual(text, True))
        else:
            self.canvas.drawString(x, y, text)

    def end(self, x: float, y: float, text: str) -> None:
        """Text ending at ``x`` from the line's end (the right edge in English)."""
        if self.rtl:
            self.canvas.drawString(WIDTH - x, y, visual(text, True))
        else:
            self.canvas.drawRightString(x, y, text)

    def font(self, bold: bool, size: float) -> None:
        self.canvas.setFont(self.bold if bold else self.regular, size)


def render_receipt(
    receipt: Receipt, verification_code: str, verify_url: str, say: Wording = ENGLISH
) -> bytes:
    """The receipt's PDF in ``say``'s language, unprotected: ``receipts.protect`` encrypts it
    before it leaves."""
    register_fonts()
    if not say.english:
        register_dejavu()  # FontMissing names the package when it isn't installed
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A5, pageCompression=1)
    page = _Page(canvas, say)
    title = say("receipt.title")
    metadata(canvas, receipt.bank_name, title)
    # Header band: the bank and what this document is.
    canvas.setFillColor(BRAND)
    canvas.rect(0, HEIGHT - 30 * mm, WIDTH, 30 * mm, stroke=0, fill=1)
    canvas.setFillColor("white")
    page.font(True, 16)
    page.start(MARGIN, HEIGHT - 14 * mm, receipt.bank_name)
    page.font(False, 11)
    page.start(MARGIN, HEIGHT - 22 * mm, title)
    # The amount, large, then every fact as a label/value row.
    y = HEIGHT - 44 * mm
    rows = _rows(receipt, say)
    canvas.setFillColor(INK)
    page.font(True, 20)
    page.start(MARGIN, y, rows[4][2])
    page.font(False, 9)
    canvas.setFillColor(MUTED)
    page.start(MARGIN, y - 6 * mm, f"{rows[7][2]} · {receipt.reference}")
    y -= 16 * mm
    for key, label, value in rows:
        canvas.setStrokeColor(LINE)
        canvas.line(MARGIN, y - 2.5 * mm, WIDTH - MARGIN, y - 2.5 * mm)
        canvas.setFillColor(MUTED)
        page.font(False, 9)
        page.start(MARGIN, y, label)
        canvas.setFillColor(INK)
        page.font(key in STRONG, 10)
        page.end(WIDTH - MARGIN, y, value)
        y -= 9 * mm
    # The verification code, boxed, with where to check it.
    y -= 4 * mm
    canvas.setFillColor(SHADE)
    canvas.roundRect(MARGIN, y - 16 * mm, WIDTH - 2 * MARGIN, 20 * mm, 2 * mm, stroke=0, fill=1)
    canvas.setFillColor(MUTED)
    page.font(False, 8)
    page.start(MARGIN + 4 * mm, y - 2 * mm, say("receipt.verification"))
    canvas.setFillColor(INK)
    page.font(True, 12)
    page.start(MARGIN + 4 * mm, y - 8.5 * mm, verification_code)
    canvas.setFillColor(MUTED)
    page.font(False, 8)
    page.start(MARGIN + 4 * mm, y - 13.5 * mm, say("receipt.verify_at", url=verify_url))
    _footer(page, receipt.bank_name, say)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _footer(page: _Page, bank_name: str, say: Wording) -> None:
    page.canvas.setFillColor(MUTED)
    page.font(False, 7.5)
    lines = (
        say("receipt.footer.generated", bank=bank_name),
        say("receipt.footer.masked"),
        say("receipt.footer.never"),
    )
    for n, text in enumerate(lines):
        page.start(MARGIN, 14 * mm - n * 4 * mm, text)
