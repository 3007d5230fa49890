"""Right-to-left text on paper: Arabic letters joined (arabic-reshaper) and the line put in
visual order (python-bidi), since reportlab draws glyphs left to right as given, and the font
that has the glyphs (DejaVu Sans, Debian's fonts-dejavu-core).

A document in another script than Latin needs DejaVu: when it is missing, rendering stops with
``FontMissing`` naming the package, rather than printing empty boxes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from unicodedata import bidirectional

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_RTL = frozenset({"R", "AL", "RLE", "RLO", "RLI"})
_MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM: direction marks, no letters
_NO_MARKS = str.maketrans("", "", _MARKS)
# LRI, RLI, FSI, PDI → LRE, RLE, LRE, PDF
_ISOLATES_AS_EMBEDDINGS = str.maketrans("\u2066\u2067\u2068\u2069", "\u202a\u202b\u202a\u202c")
FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


class FontMissing(RuntimeError):
    """The font a language needs is not installed."""


@cache
def register_dejavu() -> None:
    """Register DejaVu Sans and its bold once per process; FontMissing when absent."""
    for name in (FONT, BOLD):
        path = next((d / f"{name}.ttf" for d in DEJAVU_DIRS if (d / f"{name}.ttf").exists()), None)
        if path is None:
            raise FontMissing(
                f"{name}.ttf was not found in {', '.join(map(str, DEJAVU_DIRS))}: French and "
                "Arabic receipts need DejaVu Sans (Debian: apt-get install fonts-dejavu-core; "
                "make run and make test install it)"
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))


def visual(text: str, rtl: bool) -> str:
    """``text`` as it must be drawn: shaped and reordered for a right-to-left line. A value in
    no right-to-left script (a name, a reference, a URL) is drawn as written: reordered as an
    Arabic line, its closing bracket would move to the front; nor is an amount, whose
    right-to-left mark (Babel's, for the chat) would move its currency sign."""
    if not rtl:
        return text
    if not any(bidirectional(c) in _RTL and c not in _MARKS for c in text):
        return text.translate(_NO_MARKS)
    # python-bidi's algorithm predates isolates: the embeddings it knows do the same here.
    embedded = text.translate(_ISOLATES_AS_EMBEDDINGS)
    return str(get_display(arabic_reshaper.reshape(embedded), base_dir="R"))


def ltr(text: str) -> str:
    """``text`` kept left to right inside an Arabic line (a masked number: ``••6789``)."""
    return f"\u202a{text}\u202c"
