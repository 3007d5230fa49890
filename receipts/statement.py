"""A statement as PDF bytes: account summary, then every movement in a table that runs over as
many A4 pages as it needs (its header repeated on each), the totals, and "Page n of m".

Rendered with reportlab's platypus, which splits the table across pages. The page count is only
known at the end, so the canvas keeps each page's state and stamps the numbers when it saves.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from receipts.layout import (
    BOLD,
    BRAND,
    FONT,
    INK,
    LINE,
    MUTED,
    SHADE,
    money,
    plain,
    register_fonts,
    when,
)
from receipts.model import Statement

TITLE = "Account statement"
MARGIN = 15 * mm
_HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=16, leading=20, textColor=BRAND)
_TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9, leading=12, textColor=INK)


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers each page so the footer can say "Page n of m" once m is known."""

    def __init__(self, *args: Any, bank_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._bank_name = bank_name
        self.setTitle(TITLE)
        self.setAuthor(bank_name)
        self.setCreator(bank_name)
        self.setProducer(bank_name)
        self.setSubject(TITLE)
        self.setKeywords("")

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            width = A4[0]
            self.drawString(MARGIN, 9 * mm, f"{self._bank_name} · {TITLE} · account numbers masked")
            self.drawRightString(width - MARGIN, 9 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _summary(statement: Statement) -> Table:
    currency = statement.currency
    rows = [
        ["Account", f"{statement.account_type.capitalize()} {statement.account}"],
        ["Account holder", statement.holder],
        ["Period", f"{statement.first:%d %b %Y} to {statement.last:%d %b %Y}"],
        ["Opening balance", money(statement.opening, currency)],
        ["Money in", money(statement.credits, currency)],
        ["Money out", money(-statement.debits, currency)],
        ["Closing balance", money(statement.closing, currency)],
        ["Statement reference", statement.reference],
        ["Generated", when(statement.generated_at)],
    ]
    table = Table(rows, colWidths=[45 * mm, 80 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), FONT, 9),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                ("FONT", (1, 0), (1, -1), FONT, 9),
                ("FONT", (1, 6), (1, 6), BOLD, 9),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK)
# References are one token: let them break anywhere rather than run into the next column.
_TOKEN = ParagraphStyle("token", parent=_CELL, wordWrap="CJK")
_TOTAL = ParagraphStyle("total", parent=_CELL, fontName=BOLD)


def _movements(statement: Statement) -> Table:
    """Every movement; descriptions and references wrap inside their columns, and the totals
    are one row (money in and money out side by side), above the closing balance."""
    header = ["Date", "Description", "Reference", "Amount", "Balance"]
    rows: list[list[Any]] = [header]
    rows.append(["", "Opening balance", "", "", plain(statement.opening)])
    for line in statement.lines:
        rows.append(
            [
                line.at.strftime("%d %b %Y"),
                Paragraph(escape(line.description), _CELL),
                Paragraph(escape(line.reference), _TOKEN),
                plain(line.amount),
                plain(line.balance),
            ]
        )
    totals = f"Totals: money in {plain(statement.credits)} · money out {plain(statement.debits)}"
    rows.append(["", Paragraph(escape(totals), _TOTAL), "", "", ""])
    rows.append(["", "Closing balance", "", "", plain(statement.closing)])
    widths = [22 * mm, 72 * mm, 30 * mm, 28 * mm, 28 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("FONT", (0, 1), (-1, -1), FONT, 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, INK),
        ("SPAN", (1, -2), (4, -2)),  # the totals row reads across the table
        ("LINEABOVE", (0, -2), (-1, -2), 0.5, INK),
        ("FONT", (0, -2), (-1, -1), BOLD, 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    table.setStyle(TableStyle(style))
    return table


def render_statement(statement: Statement) -> bytes:
    """The statement's PDF, unprotected: ``receipts.protect`` encrypts it before it leaves."""
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=TITLE,
        author=statement.bank_name,
        creator=statement.bank_name,
        producer=statement.bank_name,
        subject=TITLE,
    )
    currency = statement.currency
    story = [
        Paragraph(escape(statement.bank_name), _HEADING),
        Paragraph(f"{TITLE} ({currency})", _TEXT),
        Spacer(1, 5 * mm),
        _summary(statement),
        Spacer(1, 6 * mm),
        Paragraph(f"Amounts in {currency}. Debits are shown with a minus sign.", _TEXT),
        Spacer(1, 2 * mm),
        _movements(statement),
    ]

    def canvasmaker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, bank_name=statement.bank_name, **kwargs)

    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
