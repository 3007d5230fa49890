"""Documents for the KYC upload tests, made here: a phone photo with EXIF and GPS, a PNG with a
text chunk, plain, encrypted and scripted PDFs, and files whose names lie about them."""

from __future__ import annotations

import io

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

CAMERA = "SpyPhone 9"  # what the EXIF says took the photo: must not survive the upload
GPS_IFD = 0x8825
MAKE = 0x010F


def photo(size: tuple[int, int] = (64, 48), colour: str = "teal") -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera's make and a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[MAKE] = CAMERA
    exif[GPS_IFD] = {1: "N", 2: (6.0, 35.0, 0.0), 3: "E", 4: (3.0, 20.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Location", "12 Allen Avenue, Ikeja")
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 120, 60, 255)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf(text_marker: str = "UTILITY-BILL-CONTENT") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": text_marker})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scripted_pdf() -> bytes:
    """Document-level JavaScript in the names tree (what ``add_js`` used to write)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])}
    )
    names = DictionaryObject({NameObject("/JavaScript"): tree})
    writer._root_object[NameObject("/Names")] = names
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def open_action_pdf() -> bytes:
    """A JavaScript action hidden as the document's open action (not in the names tree)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("payload.exe", b"MZ not really")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


TEXT_AS_PNG = b"This is a text file named passport.png\n"
