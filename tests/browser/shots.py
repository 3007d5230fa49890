"""Screenshots of the staff console for the docs, taken by the browser tests when
``CONSOLE_SCREENSHOTS=1`` (``CONSOLE_SCREENSHOTS=1 .venv/bin/python -m pytest
tests/browser/test_console_*.py``), so each shows a screen the test has just checked.

A shot is the viewport, not the whole page (a file stays small and shows what a person sees
first): 1280 px wide and ``DESKTOP_HEIGHT`` tall on a desktop page unless a test asks for
another height, the page's own size at phone width, and ``focus`` scrolled to the top when the
interesting part is further down. A shot that a doc shows (``img/<file>`` in ``docs/*.md`` or
the README) is written to ``docs/img/``; any other to ``var/screenshots/``, to look at, so
``docs/img/`` holds exactly the images the docs use (``tests/unit/test_docs_images.py``).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
DOCS_IMAGES = ROOT / "docs" / "img"
OTHER_SHOTS = ROOT / "var" / "screenshots"
DESKTOP_HEIGHT = 900
PHONE = 400  # narrower than this is a phone: its viewport is kept as the test set it
REFERENCE = re.compile(r"\(img/([A-Za-z0-9._-]+\.png)\)")


def documents() -> list[Path]:
    """Every file that may show a screenshot: the docs and the README."""
    return [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]


@cache
def referenced() -> frozenset[str]:
    """The file names of ``docs/img`` that the docs show or link to."""
    found = (REFERENCE.findall(path.read_text(encoding="utf-8")) for path in documents())
    return frozenset(name for names in found for name in names)


def destination(file_name: str) -> Path:
    """Where a shot of that name goes: ``docs/img`` when a doc uses it, else ``var``."""
    folder = DOCS_IMAGES if file_name in referenced() else OTHER_SHOTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / file_name


def shoot(
    page: Page,
    name: str,
    *,
    width: int | None = None,
    height: int | None = None,
    focus: str = "",
    top: bool = False,
) -> None:
    """``console-<name>.png`` of what ``page`` shows now, only when CONSOLE_SCREENSHOTS is
    set; ``top`` shows the page from its top (a form's answer may have scrolled to a field).
    The viewport is put back as it was afterwards."""
    if not os.environ.get("CONSOLE_SCREENSHOTS"):
        return
    size = page.viewport_size or {"width": 1280, "height": 720}
    wide = width or size["width"]
    tall = height or (DESKTOP_HEIGHT if wide >= PHONE else size["height"])
    page.set_viewport_size({"width": wide, "height": tall})
    if focus:
        page.locator(focus).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    elif top:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(destination(f"console-{name}.png")))
    page.set_viewport_size(size)
