"""Password protection of a rendered PDF (pypdf, AES-256: ``/V 5 /R 6``), and the passwords.

The default password is random per document: 10 symbols from an alphabet without look-alikes
(no 0/O, 1/I/L), about 49 bits, sent by SMS apart from the document. A date-of-birth password
(``DDMMYYYY``) is an explicit option a bank may choose for its customers' convenience; it is
weaker (a birth date is guessable and known to many), which is why it is not the default. The
owner password is random too and never leaves this function: nobody can lift the protection.

A random password can also be *derived* (``derived_password``): from a secret key and a random
seed kept with the document's delivery record, so every retry of one document renders the same
password (the customer gets one, however often the job runs) while the record alone, without
the key, reveals nothing of it.
"""

from __future__ import annotations

import hashlib
import hmac
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


def derived_password(key: bytes, material: str) -> str:
    """A password like ``random_password``'s, the same every time for one ``key`` and
    ``material`` (a document's identity and its random seed): HMAC-SHA256 in counter mode, each
    byte below the largest multiple of the alphabet's size taken modulo it (no bias)."""
    size = len(PASSWORD_ALPHABET)
    limit = 256 - 256 % size
    chosen: list[str] = []
    for counter in range(64):  # 32 bytes a round, ~97 % usable: one round nearly always does
        block = hmac.new(key, f"{counter}\0{material}".encode(), hashlib.sha256).digest()
        chosen.extend(PASSWORD_ALPHABET[b % size] for b in block if b < limit)
        if len(chosen) >= PASSWORD_LENGTH:
            return "".join(chosen[:PASSWORD_LENGTH])
    raise AssertionError("unreachable: 64 rounds of HMAC without 10 usable bytes")


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
