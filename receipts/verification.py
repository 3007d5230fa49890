"""Verification codes: what lets anyone holding a receipt tell a genuine one from a forgery.

The code is the receipt's reference followed by 80 bits of an HMAC-SHA256 over the receipt's
facts that never change (reference, time, amount, fee, currency, both masked accounts; not names
or status, which the bank may later correct), keyed with a key
derived from ``SECRET_KEY`` for this purpose only (domain separation: the same secret signs
sessions elsewhere, and a tag from one use must never be valid in another). The verify page
rebuilds the facts from the bank by reference and compares in constant time: a forger who
changes the amount on paper cannot produce the matching code without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC

from receipts.model import Receipt

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, none easily misread (no 0 O 1 I)
TAG_CHARS = 16  # 16 × 5 bits = 80 bits
_DOMAIN = b"teller/receipt-verification/v1"
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def derive_key(secret_key: str) -> bytes:
    """The verification key: an HMAC of a fixed label under the app's secret."""
    return hmac.new(secret_key.encode(), _DOMAIN, hashlib.sha256).digest()


def facts(receipt: Receipt) -> bytes:
    """The canonical text the tag covers; a change to any printed fact changes it."""
    fields = (
        "v1",
        receipt.reference,
        # In UTC whatever clock the receipt shows, so a code never depends on the time zone.
        receipt.created_at.astimezone(UTC).isoformat(timespec="seconds"),
        f"{receipt.amount:.2f}",
        f"{receipt.fee:.2f}",
        receipt.currency,
        receipt.sender.account,
        receipt.recipient.account,
    )
    return "\x1f".join(fields).encode()


def _tag(receipt: Receipt, key: bytes) -> str:
    digest = int.from_bytes(hmac.new(key, facts(receipt), hashlib.sha256).digest()[:10], "big")
    return "".join(ALPHABET[(digest >> (5 * i)) & 31] for i in reversed(range(TAG_CHARS)))


def code_for(receipt: Receipt, key: bytes) -> str:
    """``TX8F3K2Q-7KQM-2XWD-9HTR-C4PN``: the reference, then the tag in groups of four."""
    tag = _tag(receipt, key)
    return "-".join([receipt.reference, *(tag[i : i + 4] for i in range(0, TAG_CHARS, 4))])


def parse(code: str) -> tuple[str, str] | None:
    """(reference, tag) from what someone typed (any case, spaces or dashes); None if it can't be
    one. The tag is the last 16 symbols; the reference is whatever comes before them."""
    text = _NOT_ALNUM.sub("", code.upper())
    if not 17 <= len(text) <= 64:
        return None
    reference, tag = text[:-TAG_CHARS], text[-TAG_CHARS:]
    if any(ch not in ALPHABET for ch in tag):
        return None
    return reference, tag


def matches(receipt: Receipt, tag: str, key: bytes) -> bool:
    """Constant-time check of a typed tag against the receipt the bank holds. Fails closed."""
    return hmac.compare_digest(_tag(receipt, key).encode(), tag.encode())
