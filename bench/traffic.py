"""The benchmark's traffic: Twilio-signed WhatsApp posts, each with its own MessageSid.

Teller answers a replayed MessageSid from its stored reply without doing any work, so every
request here is fresh: its own MessageSid and therefore its own ``X-Twilio-Signature``, signed
with Twilio's ``RequestValidator`` over the public URL exactly as Twilio would. Requests are
kept as (signature, form body) rows: written to a file for wrk, or rendered as raw HTTP/1.1 for
the open-loop generator. Replies are labelled by a literal piece of their catalog text.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from twilio.request_validator import RequestValidator

from bench.openloop import Classify

Row = tuple[str, str]  # (X-Twilio-Signature, urlencoded form body)

# Response label → the catalog key whose reply it is (the first that matches wins).
REPLY_KEYS = {
    "menu": "welcome",
    "busy": "error.busy",
    "try_again": "error.try_again",
    "unexpected": "error.unexpected",
    "unknown_number": "directory.unknown_number",
}


def form(sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound WhatsApp text, with a fresh MessageSid."""
    sid = f"SM{secrets.token_hex(16)}"
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Bench",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": sender.lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": "whatsapp:+14155238886",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
    }


def signed(auth_token: str, url: str, senders: Sequence[str], body: str, count: int) -> list[Row]:
    """``count`` signed posts of ``body`` to ``url``, from each sender in turn."""
    validator = RequestValidator(auth_token)
    rows = []
    for i in range(count):
        fields = form(senders[i % len(senders)], body)
        rows.append((str(validator.compute_signature(url, fields)), urlencode(fields)))
    return rows


def write(path: Path, rows: Sequence[Row]) -> Path:
    """One row per line, ``signature<TAB>body``, the format wrk_post.lua reads."""
    path.write_text("".join(f"{sig}\t{body}\n" for sig, body in rows), encoding="ascii")
    return path


def raw(port: int, path: str, rows: Sequence[Row]) -> list[bytes]:
    """Whole HTTP/1.1 requests for the open-loop generator, one connection each."""
    return [
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {sig}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n{body}"
        ).encode("ascii")
        for sig, body in rows
    ]


def chat_customers(seed: Path) -> list[str]:
    """The seed's customers who may use chat banking (``chat_banking`` not false)."""
    data = json.loads(seed.read_text(encoding="utf-8"))
    return [str(c["msisdn"]) for c in data["customers"] if c.get("chat_banking", True) is not False]


def reply_markers(
    catalog: Mapping[str, str], keys: Mapping[str, str] = REPLY_KEYS
) -> dict[str, str]:
    """Response label → the longest literal piece of its catalog text, escaped as in TwiML.

    ``keys`` maps each label to its catalog key, in the order replies are tried.
    """

    def literal(key: str) -> str:
        return escape(max(re.split(r"\{[^}]*\}", catalog[key]), key=len).strip())

    return {label: literal(key) for label, key in keys.items()}


def classifier(markers: Mapping[str, str]) -> Classify:
    """(status, body) → the first label whose marker the body holds; ``other`` if none."""
    encoded = {label: text.encode() for label, text in markers.items()}

    def classify(status: int, body: bytes) -> str:
        if status != 200:
            return f"status_{status}"
        return next((label for label, text in encoded.items() if text in body), "other")

    return classify
