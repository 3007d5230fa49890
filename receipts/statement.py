"""A statement as PDF bytes: account summary, then every movement in a table that runs over as
many A4 pages as it needs (its header repeated on each), the totals, and "Page n of m".

Rendered with reportlab's platypus, which splits the table across pages. The page count is only
known at the end, so the canvas keeps each page's state and stamps the numbers when it saves.

It is written in the ``Wording``'s language (``receipts.wording``), as receipts are: English in
Vera as always, another language in DejaVu Sans, and a right-to-left one mirrored (the tables'
columns in reverse order, aligned right) with its text shaped (``receipts.shaping``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from messaging import local_format
from receipts.layout import (
    BOLD,
    BRAND,
    FONT,
    INK,
    LINE,
    MUTED,
    SHADE,
    register_fonts,
)
from receipts.model import Statement
from receipts.shaping import BOLD as DEJAVU_BOLD
from receipts.shaping import FONT as DEJAVU
from receipts.shaping import ltr, register_dejavu, visual
from receipts.wording import DOCUMENTS, Wording

TITLE = DOCUMENTS["statement.title"]
MARGIN = 15 * mm
ENGLISH = Wording()


class _Look:
    """The statement's fonts, styles and direction for one wording."""

    def __init__(self, say: Wording) -> None:
        self.say = say
        self.rtl = say.rtl
        self.font, self.bold = (FONT, BOLD) if say.english else (DEJAVU, DEJAVU_BOLD)
        align = 2 if self.rtl else 0  # reportlab: 0 left, 2 right
        self.heading = ParagraphStyle(
            "heading", fontName=self.bold, fontSize=16, leading=20, textColor=BRAND, alignment=align
        )
        self.text = ParagraphStyle(
            "text", fontName=self.font, fontSize=9, leading=12, textColor=INK, alignment=align
        )
        self.cell = ParagraphStyle(
            "cell", fontName=self.font, fontSize=8.5, leading=10.5, textColor=INK, alignment=align
        )
        # References are one token: let them break anywhere rather than run into the next column.
        self.token = ParagraphStyle("token", parent=self.cell, wordWrap="CJK")
        self.total = ParagraphStyle("total", parent=self.cell, fontName=self.bold)

    def t(self, text: str) -> str:
        """Text as drawn: shaped and in visual order for a right-to-left document."""
        return visual(text, self.rtl)

    def p(self, text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(self.t(text)), style)

    def row(self, cells: list[Any]) -> list[Any]:
        """A table row in reading order: reversed on a right-to-left page."""
        shown = [self.t(c) if isinstance(c, str) else c for c in cells]
        return shown[::-1] if self.rtl else shown

    def column(self, index: int, count: int) -> int:
        return count - 1 - index if self.rtl else index

    def money(self, amount: Decimal, currency: str) -> str:
        return self.say.money(amount, currency)

    def plain(self, amount: Decimal) -> str:
        """An amount in a table column whose header names the currency."""
        return local_format.number(amount, ",.2f", self.say.language)

    def day(self, on: date) -> str:
        if self.say.english:
            return f"{on:%d %b %Y}"
        return str(format_date(on, "dd MMM yyyy", locale=self.say.language))


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers each page so the footer can say "Page n of m" once m is known."""

    def __init__(self, *args: Any, look: _Look, bank_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._bank_name = bank_name
        self._look = look
        title = look.say("statement.title")
        self.setTitle(title)
        self.setAuthor(bank_name)
        self.setCreator(bank_name)
        self.setProducer(bank_name)
        self.setSubject(title)
        self.setKeywords("")

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        look, say = self._look, self._look.say
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(look.font, 7.5)
            self.setFillColor(MUTED)
            width = A4[0]
            footer = look.t(
                say("statement.footer", bank=self._bank_name, title=say("statement.title"))
            )
            page = look.t(say("statement.page", page=str(self._pageNumber), pages=str(total)))
            start, end = (page, footer) if look.rtl else (footer, page)
            self.drawString(MARGIN, 9 * mm, start)
            self.drawRightString(width - MARGIN, 9 * mm, end)
            super().showPage()
        super().save()


def _summary(statement: Statement, look: _Look) -> Table:
    currency, say = statement.currency, look.say
    kind = say.texts.get(f"statement.type.{statement.account_type}") or (
        statement.account_type.capitalize()
    )
    period = say(
        "statement.period_value", first=look.day(statement.first), last=look.day(statement.last)
    )
    rows = [
        look.row(
            [
                say("statement.account"),
                f"{kind} {ltr(statement.account) if look.rtl else statement.account}",
            ]
        ),
        look.row([say("statement.holder"), statement.holder]),
        look.row([say("statement.period"), period]),
        look.row([say("statement.opening"), look.money(statement.opening, currency)]),
        look.row([say("statement.money_in"), look.money(statement.credits, currency)]),
        look.row([say("statement.money_out"), look.money(-statement.debits, currency)]),
        look.row([say("statement.closing"), look.money(statement.closing, currency)]),
        look.row([say("statement.reference"), statement.reference]),
        look.row([say("statement.generated"), say.when(statement.generated_at)]),
    ]
    label, value = look.column(0, 2), look.column(1, 2)
    widths = [45 * mm, 80 * mm]
    table = Table(
        rows, colWidths=widths[::-1] if look.rtl else widths, hAlign="RIGHT" if look.rtl else "LEFT"
    )
    align = "RIGHT" if look.rtl else "LEFT"
    table.setStyle(
        TableStyle(
            [
                ("FONT", (label, 0), (label, -1), look.font, 9),
                ("TEXTCOLOR", (label, 0), (label, -1), MUTED),
                ("FONT", (value, 0), (value, -1), look.font, 9),
                ("FONT", (value, 6), (value, 6), look.bold, 9),
                ("ALIGN", (0, 0), (-1, -1), align),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _movements(statement: Statement, look: _Look) -> Table:
    """Every movement; descriptions and references wrap inside their columns, and the totals
    are one row (money in and money out side by side), above the closing balance."""
    say = look.say
    header = [
        say(f"statement.col.{c}") for c in ("date", "description", "reference", "amount", "balance")
    ]
    rows: list[list[Any]] = [look.row(header)]
    rows.append(look.row(["", say("statement.opening"), "", "", look.plain(statement.opening)]))
    for line in statement.lines:
        rows.append(
            look.row(
                [
                    look.day(line.at.date()) if not say.english else line.at.strftime("%d %b %Y"),
                    Paragraph(escape(line.description), look.cell),
                    Paragraph(escape(line.reference), look.token),
                    look.plain(line.amount),
                    look.plain(line.balance),
                ]
            )
        )
    totals = say(
        "statement.totals",
        money_in=look.plain(statement.credits),
        money_out=look.plain(statement.debits),
    )
    first, last = sorted((look.column(1, 5), look.column(4, 5)))
    spanned: list[Any] = ["", "", "", "", ""]
    spanned[first] = look.p(totals, look.total)  # a span shows its first cell's content
    rows.append(spanned)
    rows.append(look.row(["", say("statement.closing"), "", "", look.plain(statement.closing)]))
    widths = [22 * mm, 72 * mm, 30 * mm, 28 * mm, 28 * mm]
    table = Table(rows, colWidths=widths[::-1] if look.rtl else widths, repeatRows=1)
    numbers = sorted((look.column(3, 5), look.column(4, 5)))
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), look.bold, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("FONT", (0, 1), (-1, -1), look.font, 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT" if look.rtl else "LEFT"),
        ("ALIGN", (numbers[0], 0), (numbers[1], -1), "LEFT" if look.rtl else "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, INK),
        ("SPAN", (first, -2), (last, -2)),  # the totals row reads across the table
        ("LINEABOVE", (0, -2), (-1, -2), 0.5, INK),
        ("FONT", (0, -2), (-1, -1), look.bold, 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    table.setStyle(TableStyle(style))
    return table


def render_statement(statement: Statement, say: Wording = ENGLISH) -> bytes:
    """The statement's PDF in ``say``'s language, unprotected: ``receipts.protect`` encrypts it
    before it leaves."""
    register_fonts()
    if not say.english:
        register_dejavu()  # FontMissing names the package when it isn't installed
    look = _Look(say)
    title = say("statement.title")
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=title,
        author=statement.bank_name,
        creator=statement.bank_name,
        producer=statement.bank_name,
        subject=title,
    )
    currency = statement.currency
    story = [
        look.p(statement.bank_name, look.heading),
        look.p(f"{title} ({currency})", look.text),
        Spacer(1, 5 * mm),
        _summary(statement, look),
        Spacer(1, 6 * mm),
        look.p(say("statement.amounts_in", currency=currency), look.text),
        Spacer(1, 2 * mm),
        _movements(statement, look),
    ]

    def canvasmaker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, look=look, bank_name=statement.bank_name, **kwargs)

    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
