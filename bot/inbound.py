"""Parsing Twilio's inbound WhatsApp form post into a typed message, against an allow-list."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

MAX_BODY = 4096  # WhatsApp's own limit for one text message
MAX_TAP = 200  # a list item's id is at most 200 characters (Twilio's list-picker limits)
_ADDRESS = re.compile(r"whatsapp:(\+[1-9][0-9]{6,14})")
_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")


class InvalidInbound(ValueError):
    """A form field is missing or malformed; ``field`` names it for the operator's log."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


@dataclass(frozen=True)
class InboundMessage:
    sid: str
    msisdn: str  # the customer's +E164 number, without the whatsapp: prefix
    to: str
    body: str
    num_media: int
    profile_name: str
    # A button or list tap: its ButtonPayload or ListId (Twilio's fields for MessageType
    # button and interactive), "" for a typed message. Only an id Teller offered is read as
    # the choice (bot.content.replies); anything else leaves the Body as the text.
    tap: str = ""


def clean_text(text: str, limit: int) -> str:
    """Drop control characters (keeping newlines and tabs) and cut to ``limit`` characters."""
    head = text[: limit * 2]
    if head.isprintable():
        # No character of category C (nor a separator but the space): nothing to drop, and
        # the usual one-line message skips the look-up of each character's category.
        return head[:limit].strip()
    kept = "".join(ch for ch in head if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept[:limit].strip()


def parse(form: Mapping[str, str]) -> InboundMessage:
    """Validate the fields Teller uses; raise InvalidInbound naming the first bad one."""
    sender = _ADDRESS.fullmatch(form.get("From", "").strip())
    if sender is None:
        raise InvalidInbound("From", "must be whatsapp:+E164")
    sid = form.get("MessageSid", "").strip()
    if not _SID.fullmatch(sid):
        raise InvalidInbound("MessageSid", "must be a Twilio message SID")
    num_media = form.get("NumMedia", "0").strip() or "0"
    if not (num_media.isascii() and num_media.isdecimal()) or int(num_media) > 10:
        raise InvalidInbound("NumMedia", "must be a number from 0 to 10")
    return InboundMessage(
        sid=sid,
        msisdn=sender.group(1),
        to=form.get("To", "").strip()[:64],
        body=clean_text(form.get("Body", ""), MAX_BODY),
        num_media=int(num_media),
        profile_name=clean_text(form.get("ProfileName", ""), 100),
        tap=clean_text(form.get("ButtonPayload") or form.get("ListId") or "", MAX_TAP),
    )
