"""The WhatsApp templates' Content SIDs, as ``flask --app app whatsapp sync-content`` stores them.

Read only here: the command owns the hash. Only an ``approved`` template is used outside the
window; a pending, rejected or unsubmitted one (or none at all) sends the notice by SMS instead.
"""

from __future__ import annotations

import json

from redis import Redis

# hash: field = a template's friendly_name (``bot.notice_templates.friendly_name``), value =
# JSON {"sid": "HX…", "approval": "approved" | "pending" | "rejected" | "unsubmitted"}; no TTL.
CONTENT_KEY = "whatsapp:content"
APPROVED = "approved"


class ContentStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def approved(self, name: str) -> tuple[str | None, str]:
        """(the template's SID if it is approved, else None; its state in words for the log)."""
        raw = self.redis.hget(CONTENT_KEY, name)
        if raw is None:
            return None, "not synced"
        try:
            entry = json.loads(str(raw))
            sid, approval = str(entry["sid"]), str(entry["approval"])
        except (ValueError, KeyError, TypeError):
            return None, "unreadable entry"
        if approval != APPROVED or not sid.startswith("HX"):
            return None, approval
        return sid, approval
