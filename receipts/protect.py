"""Password protection of a rendered PDF (pypdf, AES-256: ``/V 5 /R 6``), and the passwords.

The default password is random per document: 10 symbols from an alphabet without look-alikes
(no 0/O, 1/I/L), about 49 bits, sent by SMS apart from the document. A date-of-birth password
(``DDMMYYYY``) is an explicit option a bank may choose for its customers' convenience; it is
weaker (a birth date is guessable and known to many), which is why it is not the default. The
owner password is random too and never leaves this function: nobody can lift the protection.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import date
from io import BytesIO

from pypdf import PdfReader, PdfWriter

PASSWORD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - symbols, not a password
PASSWORD_LENGTH = 10
ALGORITHM = "AES-256"  # PDF 2.0 AES-256 (/V 5 /R 6); never pypdf's RC4 default


def random_password(choice: Callable[[Sequence[str]], str] = secrets.choice) -> str:
    return "".join(choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def dob_password(dob: date) -> str:
    """The weaker, opt-in password: the date of birth as ``DDMMYYYY``."""
    return dob.strftime("%d%m%Y")


def protect(pdf: bytes, password: str, *, title: str, author: str) -> bytes:
    """The same document, encrypted with AES-256 under ``password``; its metadata replaced by
    the kind of document and the bank's name only."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.metadata = None  # drop whatever the renderer wrote; set only what is safe below
    writer.add_metadata({"/Title": title, "/Author": author, "/Producer": author})
    writer.encrypt(
        user_password=password,
        owner_password=secrets.token_urlsafe(24),
        algorithm=ALGORITHM,
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
