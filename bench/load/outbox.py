"""The dev outbox read as it fills: every message Teller sent, kept by id, and each number's
newest step-up code. The outbox is a capped Redis list, newest first; reading only what is new
since the last look (each look stops at an id already seen) keeps the whole run's messages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from bot.messenger import OUTBOX_KEY, OUTBOX_MAX

_CODE = re.compile(r"\b(\d{6}) is your code")
_REFERENCE = re.compile(r"\b((?:TX|ST)[0-9A-Z]{4,})\b")
PAGE = 200


@dataclass
class Outbox:
    redis: Redis
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # msisdn → (id, code)
    overflowed: bool = False  # more arrived between two looks than the list keeps

    def poll(self) -> None:
        """Take in what is new; a Redis outage is waited out (the next look catches up)."""
        fresh: list[dict[str, Any]] = []
        start = 0
        try:
            while start < OUTBOX_MAX:
                raw: list[str] = self.redis.lrange(OUTBOX_KEY, start, start + PAGE - 1)  # type: ignore[assignment]
                seen = False
                for item in raw:
                    record = json.loads(item)
                    if str(record["id"]) in self.messages:
                        seen = True
                        break
                    fresh.append(record)
                if seen or len(raw) < PAGE:
                    break
                start += PAGE
            else:
                self.overflowed = bool(self.messages)
        except RedisError:
            return
        for record in reversed(fresh):  # oldest first, so the newest code wins
            self.messages[str(record["id"])] = record
            if record["channel"] == "sms":
                found = _CODE.search(record["body"])
                if found:
                    self.codes[str(record["to"])] = (str(record["id"]), found.group(1))

    def code(self, msisdn: str) -> tuple[str, str] | None:
        return self.codes.get(msisdn)

    def documents(self) -> list[tuple[str, str]]:
        """(reference, number) of every WhatsApp message that carried a PDF."""
        found = []
        for record in self.messages.values():
            if record["channel"] == "whatsapp" and record.get("media_urls"):
                reference = _REFERENCE.search(record["body"])
                found.append((reference.group(1) if reference else "", str(record["to"])))
        return found


def reference_in(text: str) -> str:
    found = _REFERENCE.search(text)
    return found.group(1) if found else ""
