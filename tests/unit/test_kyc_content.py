"""What an uploaded KYC document must be (``auth.kyc.content``): the kind is read from the
content (a .png that is really a PDF or text is what it is, not what it is called), images come
back re-encoded without EXIF or GPS, PDFs that are encrypted or can act are refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from auth.kyc.content import MAX_BYTES, Kind, Refused, clean, sniff
from tests import kyc_files


def test_a_phone_photo_comes_back_without_its_exif_and_gps() -> None:
    original = kyc_files.photo()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(kyc_files.MAKE) == kyc_files.CAMERA  # the fixture has it
    cleaned = clean(original)
    assert cleaned.kind is Kind.JPEG and cleaned.mime == "image/jpeg"
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.format == "JPEG" and after.size == (64, 48)
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info and "comment" not in after.info
    assert kyc_files.CAMERA.encode() not in cleaned.data
    assert b"taken at home" not in cleaned.data


def test_a_png_loses_its_text_chunks() -> None:
    cleaned = clean(kyc_files.png_with_text())
    assert cleaned.kind is Kind.PNG
    assert b"Allen Avenue" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.format == "PNG" and after.mode == "RGBA"


def test_a_plain_pdf_is_kept_as_sent() -> None:
    data = kyc_files.pdf()
    cleaned = clean(data)
    assert cleaned.kind is Kind.PDF and cleaned.data == data


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (kyc_files.TEXT_AS_PNG, "isn't a JPEG, PNG or PDF"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "can't be read"),
        (b"\xff\xd8\xff\xe0" + b"broken" * 10, "can't be read"),
        (b"%PDF-1.7\n garbage without objects", "can't be read"),
        (kyc_files.encrypted_pdf(), "protected with a password"),
        (kyc_files.scripted_pdf(), "scripts, actions or attached files"),
        (kyc_files.open_action_pdf(), "scripts, actions or attached files"),
        (kyc_files.pdf_with_attachment(), "scripts, actions or attached files"),
        (b"%PDF-" + b"0" * MAX_BYTES, "larger than 5 MB"),
    ],
    ids=[
        "text named .png",
        "empty",
        "png signature only",
        "jpeg signature only",
        "pdf header only",
        "encrypted pdf",
        "javascript",
        "open action",
        "embedded file",
        "over 5 MB",
    ],
)
def test_refused_with_a_reason(data: bytes, words: str) -> None:
    with pytest.raises(Refused) as refused:
        clean(data)
    assert words in refused.value.reason


def test_the_kind_is_the_contents_not_the_name() -> None:
    """A PDF saved as passport.png is a PDF: it is checked (and shown to staff) as one."""
    assert sniff(kyc_files.pdf()) is Kind.PDF
    assert sniff(kyc_files.photo()) is Kind.JPEG
    assert sniff(kyc_files.TEXT_AS_PNG) is None
