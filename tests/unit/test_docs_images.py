"""The docs' screenshots: every image a doc shows is in ``docs/img``, every file there is shown
by a doc (so none is left behind when a doc stops using it), and each is a PNG small enough to
keep in the repository. They are taken by the browser tests (``tests/browser/shots.py``)."""

from __future__ import annotations

import struct

from tests.browser.shots import DOCS_IMAGES, documents, referenced

MAX_BYTES = 250 * 1024
PNG = b"\x89PNG\r\n\x1a\n"


def test_every_image_a_doc_shows_is_there() -> None:
    missing = sorted(name for name in referenced() if not (DOCS_IMAGES / name).is_file())
    assert missing == []


def test_every_image_in_docs_img_is_shown_by_a_doc() -> None:
    unused = sorted(p.name for p in DOCS_IMAGES.iterdir() if p.name not in referenced())
    assert unused == [], f"not in {[d.name for d in documents()]}"


def test_each_image_is_a_small_png_at_desktop_or_phone_width() -> None:
    for path in sorted(DOCS_IMAGES.glob("*.png")):
        head = path.read_bytes()[:24]
        assert head[:8] == PNG, path.name
        width = struct.unpack(">I", head[16:20])[0]
        assert width == 1280 or width <= 400, (path.name, width)
        assert path.stat().st_size <= MAX_BYTES, (path.name, path.stat().st_size)
