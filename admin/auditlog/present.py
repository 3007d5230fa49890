"""What an audit entry looks like to staff: its time on the bank's clock, the table row's short
summary of its details, how its result reads (good, bad or neutral), and its fields in a fixed
order for the entry's own page and the CSV export.

Values are shown as stored: the stream holds no secret and numbers were masked when written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from admin.auditlog.query import entry_time
from auth.stores.audit import AuditEntry

# The fields every entry has, in the order staff read them.
CORE = ("at", "event", "customer", "number", "channel", "result", "actor")
# The details, most telling first (the CSV's columns after CORE, and the summary's order).
DETAIL = (
    "amount",
    "parties",
    "reference",
    "action",
    "reason",
    "target",
    "role",
    "change",
    "token_id",
    "level",
    "fields",
    "scenario",
    "challenge",
    "decision",
    "destination",
    "card",
    "new_card",
    "kind",
    "purpose",
    "step",
    "remaining",
    "intent",
    "until",
    "address",
    "agent",
    "before",
    "after",
)
CHAIN = ("prev", "digest")
# Long values that say nothing in one line (scenario JSON, a browser's user agent).
NOT_SUMMARISED = frozenset({"before", "after", "agent", "address", "until"})
SUMMARY_LENGTH = 120

GOOD = frozenset({"success", "ok", "passed", "not_required", "intact"})
BAD = frozenset(
    {"failure", "failed", "locked", "refused", "blocked", "wrong", "exhausted", "mismatch"}
    | {"broken"}
)


def ordered(fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every field: the core ones, the details, anything else by name, then the chain."""
    known = [*CORE, *DETAIL, *CHAIN]
    other = sorted(name for name in fields if name not in known)
    names = [*CORE, *DETAIL, *other, *CHAIN]
    return [(name, fields[name]) for name in names if name in fields]


def summary(fields: Mapping[str, str]) -> str:
    """The details in one short line: ``amount: USD 150.00 · parties: from ••6789 to ••4321``."""
    parts = [
        f"{name}: {fields[name]}"
        for name in DETAIL
        if fields.get(name) and name not in NOT_SUMMARISED
    ]
    text = " · ".join(parts)
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def tone(result: str) -> str:
    """``good``, ``bad`` or ``neutral``: the result's colour in the table (text says it too)."""
    if result in GOOD:
        return "good"
    return "bad" if result in BAD else "neutral"


@dataclass(frozen=True)
class Row:
    """One entry as the table shows it."""

    entry_id: str
    time: datetime
    fields: Mapping[str, str]
    summary: str
    tone: str

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def row(entry: AuditEntry, zone: ZoneInfo) -> Row:
    fields = entry.fields
    return Row(
        entry.entry_id,
        entry_time(entry.entry_id, zone),
        fields,
        summary(fields),
        tone(fields.get("result", "")),
    )
