"""TwiML replies, split to WhatsApp's 1,600-character limit.

Twilio's ``MessagingResponse`` is the reference for the document: ``reply`` writes exactly what
it writes (tests/unit/test_twiml.py compares the two on arbitrary text), but for the webhook's
one shape — ``<Message>`` elements of plain text — it writes the string directly, because
building the library's verb objects and an ElementTree to serialise them cost more than the
conversation engine on every message. (A lone surrogate, which UTF-8 can't carry, never gets
this far: ``split_message`` refuses it.)
"""

from __future__ import annotations

from collections.abc import Iterable

from twilio.twiml.messaging_response import MessagingResponse

MAX_MESSAGE = 1600  # Twilio's limit per WhatsApp message, counted in UTF-16 code units


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut a long text into parts of at most ``limit`` units, preferring paragraph, line and
    word boundaries, never splitting a character."""
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _max_prefix(rest, limit)
        for sep in ("\n\n", "\n", " "):
            at = rest.rfind(sep, 0, cut)
            if at > cut // 2:
                cut = at
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def _max_prefix(text: str, limit: int) -> int:
    """The largest n with utf16_len(text[:n]) <= limit (code points outside the BMP count 2)."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'


def reply(messages: Iterable[str]) -> str:
    """A TwiML document with one <Message> per part of each message."""
    parts = [part for text in messages for part in split_message(text)]
    if not parts:
        return EMPTY
    return _HEAD + "".join(map(_message, parts)) + "</Response>"


def _message(part: str) -> str:
    """One ``<Message>`` as ElementTree writes it: text escaped as character data; empty
    text makes an empty element."""
    if not part:
        return "<Message />"
    escaped = part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<Message>{escaped}</Message>"


def _library_reply(parts: Iterable[str]) -> str:
    response = MessagingResponse()
    for part in parts:
        response.message(part)
    return str(response)


EMPTY = _library_reply(())
