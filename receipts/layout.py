"""What receipts and statements share on paper: colours, how money and times are printed, and
document metadata that carries no personal data.

Text is set in Bitstream Vera, the TrueType font reportlab ships: embedded (subset) fonts carry
a Unicode map, so the mask's bullets (``••6789``) survive copying and text extraction, which
the standard Helvetica's single-byte encoding does not. Debits print with an ASCII hyphen.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

BRAND: Color = HexColor("#0b5d3b")  # the secure pages' green
INK: Color = HexColor("#1b1f24")
MUTED: Color = HexColor("#5b6470")
LINE: Color = HexColor("#d6dbe1")
SHADE: Color = HexColor("#f4f6f8")
FONT = "Vera"
BOLD = "VeraBd"


@cache
def register_fonts() -> None:
    """Register the fonts once per process (the worker does it before forking, so each job
    starts with them parsed). Renderers call it first; later calls cost nothing."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name in (FONT, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))


def money(amount: Decimal, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency} {abs(amount):,.2f}"


def plain(amount: Decimal) -> str:
    """An amount in a table column whose header names the currency."""
    return f"{amount:,.2f}"


def when(at: datetime) -> str:
    """``02 Nov 2026, 10:14 WAT``: on the clock the time carries (the bank's: the document's
    source converts it), and the zone is always printed."""
    return at.strftime("%d %b %Y, %H:%M %Z")


def metadata(canvas: Canvas, bank_name: str, title: str) -> None:
    """Document properties: only the bank's name and the kind of document, never a customer's
    name, number or reference. They are encrypted with the rest, but once a file is opened,
    viewers, file managers and search indexes show and keep them apart from the content."""
    canvas.setTitle(title)
    canvas.setAuthor(bank_name)
    canvas.setCreator(bank_name)
    canvas.setProducer(bank_name)
    canvas.setSubject(title)
    canvas.setKeywords("")
