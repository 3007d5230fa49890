"""What an uploaded KYC document must be, checked by its content and never by its name or the
browser's Content-Type: a JPEG, PNG or PDF of at most 5 MB.

Images are opened with Pillow, fully decoded, turned upright and re-encoded from their pixels
alone, so nothing the camera or an editor wrote beside them (EXIF, GPS, comments, ICC profiles,
trailing data) is kept. PDFs are parsed with pypdf and refused when encrypted or when anything
in them can act (JavaScript, an open action, automatic actions, launch actions, embedded files,
forms that run scripts); they are kept as sent. Fails closed: whatever can't be parsed, or is
too large to decode safely, is refused with the reason a customer can act on.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from auth.onboarding_texts import say

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes to ~160 MB: the most we decode
MAX_PAGES = 30
MAX_PDF_OBJECTS = 50_000  # more than a scanned document needs; a bigger graph is refused
# Names in a PDF that make it act when opened or clicked (pypdf decodes #xx escapes in names).
ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)


class Kind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    PDF = "pdf"


MIME = {Kind.JPEG: "image/jpeg", Kind.PNG: "image/png", Kind.PDF: "application/pdf"}
SUFFIX = {Kind.JPEG: "jpg", Kind.PNG: "png", Kind.PDF: "pdf"}


class Refused(ValueError):
    """Not a document we keep; ``reason`` says why in words for the customer, in the page's
    language (``auth.onboarding_texts``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Cleaned:
    """A document as it will be stored: its kind and the bytes to keep."""

    kind: Kind
    data: bytes

    @property
    def mime(self) -> str:
        return MIME[self.kind]


def sniff(data: bytes) -> Kind | None:
    """The kind the first bytes announce (the file's own signature), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    # A PDF's header may follow a little junk (readers allow 1 KB); we don't.
    if data.startswith(b"%PDF-"):
        return Kind.PDF
    return None


def clean(data: bytes) -> Cleaned:
    """The document to store, or ``Refused`` saying why it isn't one."""
    if not data:
        raise Refused(say("kyc_upload.empty"))
    if len(data) > MAX_BYTES:
        raise Refused(say("kyc_upload.file_too_large"))
    kind = sniff(data)
    if kind is None:
        raise Refused(say("kyc_upload.not_a_document"))
    if kind is Kind.PDF:
        return Cleaned(kind, checked_pdf(data))
    return Cleaned(kind, reencoded(data, kind))


def reencoded(data: bytes, kind: Kind) -> bytes:
    """The image's pixels alone, upright, in a new file of the same kind (no metadata)."""
    unreadable = Refused(say("kyc_upload.unreadable_image", kind=kind.value.upper()))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if (image.format or "").lower() != kind.value:
                    raise unreadable
                if image.width * image.height > MAX_PIXELS:
                    raise Refused(say("kyc_upload.image_too_large"))
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _save(upright, kind)
    except Refused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise unreadable from None
    except (OSError, ValueError, SyntaxError, EOFError):  # Pillow's errors for broken files
        raise unreadable from None


def _save(image: Image.Image, kind: Kind) -> bytes:
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    wanted = "RGBA" if transparent and kind is Kind.PNG else "RGB"
    if image.mode == "L" and kind is Kind.JPEG:
        wanted = "L"
    pixels = image.convert(wanted)
    # A new image from the pixels alone: nothing of the original's info travels with it.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if kind is Kind.JPEG:
        bare.save(out, format="JPEG", quality=90)
    else:
        bare.save(out, format="PNG", optimize=False)
    return out.getvalue()


def checked_pdf(data: bytes) -> bytes:
    """``data`` when it is a readable, unencrypted PDF in which nothing can act."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused(say("kyc_upload.pdf_protected"))
        pages = len(reader.pages)
        active = _active_name(reader.trailer)
    except Refused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise Refused(say("kyc_upload.unreadable_pdf")) from None
    if pages < 1 or pages > MAX_PAGES:
        raise Refused(say("kyc_upload.pdf_pages", pages=MAX_PAGES))
    if active:
        raise Refused(say("kyc_upload.pdf_active"))
    return data


def _active_name(root: Any) -> bool:
    """Whether any object reachable from ``root`` uses a name that makes a PDF act."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(node, DictionaryObject):
            if any(str(key) in ACTIVE_NAMES for key in node):
                return True
            if node.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                return True
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False
