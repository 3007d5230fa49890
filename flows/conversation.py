"""The conversation record: current state, the active flow's slots, and when it last moved.

Serialised to JSON for the edge's store; the store keeps a version beside it so two writers can
never both win. A conversation idle for longer than the configured time starts over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flows.states import State

# json.dumps with any option builds an encoder a call; this one is built once (same output).
_ENCODER = json.JSONEncoder(separators=(",", ":"))


@dataclass(frozen=True)
class Conversation:
    state: State = State.MAIN_MENU
    data: Mapping[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None  # None: never stored
    hinted: bool = False  # "Send menu at any time" was said: once per conversation is enough

    def is_idle(self, now: datetime, idle: timedelta) -> bool:
        return self.updated_at is not None and now - self.updated_at > idle

    def to_json(self) -> str:
        return _ENCODER.encode(
            {
                "state": self.state.value,
                "data": dict(self.data),
                "updated_at": self.updated_at.isoformat() if self.updated_at else None,
                "hinted": self.hinted,
            }
        )

    @classmethod
    def from_json(cls, doc: str) -> Conversation:
        """Parse a stored record; anything unreadable (an old or unknown state) starts over."""
        if not doc:
            return cls()
        try:
            raw = json.loads(doc)
            updated = raw.get("updated_at")
            return cls(
                state=State(raw["state"]),
                data=dict(raw.get("data") or {}),
                updated_at=datetime.fromisoformat(updated) if updated else None,
                hinted=raw.get("hinted") is True,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls()
