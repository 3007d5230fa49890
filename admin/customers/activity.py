"""A customer's recent activity, read from the audit stream for their page: step-up challenges
(``stepup.*``), money movements and card changes (``money.*``, ``card.*``), and security events
with staff actions (logins, registration, blocks, logouts, ``customer.*``).

Entries are read newest first a page at a time and the scan stops when each list is full or
after ``MAX_SCANNED`` entries, so a busy stream costs a customer page a bounded read (the audit
log's own pages, with filters and dates, go further back). Entries are already masked when
written; this only picks fields to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from auth.stores.audit import AuditLog

PAGE = 500
MAX_SCANNED = 5000
PER_LIST = 10
# Recorded for every page view or link: on a customer's page they would hide what happened.
QUIET = frozenset({"customer.view", "link_issued", "code_sent"})
# The detail fields worth a line, in the order they read best.
SUMMARY_FIELDS = (
    "action",
    "amount",
    "challenge",
    "destination",
    "parties",
    "card",
    "new_card",
    "reference",
    "kind",
    "reason",
    "until",
    "address",
    "agent",
)


@dataclass(frozen=True)
class Event:
    entry_id: str
    at: str  # on the bank's clock
    event: str
    result: str
    channel: str
    actor: str
    summary: str


@dataclass
class Activity:
    challenges: list[Event] = field(default_factory=list)
    movements: list[Event] = field(default_factory=list)
    security: list[Event] = field(default_factory=list)

    def add(self, item: Event) -> None:
        """File ``item`` under its list, unless that list is full."""
        target = self._list_for(item.event)
        if target is not None and len(target) < PER_LIST:
            target.append(item)

    def _list_for(self, event: str) -> list[Event] | None:
        if event in QUIET:
            return None
        if event.startswith("stepup."):
            return self.challenges
        if event.startswith(("money.", "card.")):
            return self.movements
        return self.security

    @property
    def full(self) -> bool:
        return all(len(x) >= PER_LIST for x in (self.challenges, self.movements, self.security))


def _when(text: str, zone: tzinfo) -> str:
    try:
        return datetime.fromisoformat(text).astimezone(zone).strftime("%d %b %Y %H:%M %Z")
    except ValueError:
        return text


def _summary(fields: Mapping[str, str]) -> str:
    return " · ".join(f"{name} {fields[name]}" for name in SUMMARY_FIELDS if fields.get(name))


def event_of(entry_id: str, fields: Mapping[str, str], zone: tzinfo) -> Event:
    return Event(
        entry_id=entry_id,
        at=_when(fields.get("at", ""), zone),
        event=fields.get("event", ""),
        result=fields.get("result", ""),
        channel=fields.get("channel", ""),
        actor=fields.get("actor", ""),
        summary=_summary(fields),
    )


def recent_activity(audit: AuditLog, customer_id: str, zone: tzinfo) -> Activity:
    """The customer's latest entries of each kind (``PER_LIST`` each at most)."""
    found = Activity()
    for entry in audit.newest(MAX_SCANNED, PAGE):
        if entry.fields.get("customer") == customer_id:
            found.add(event_of(entry.entry_id, dict(entry.fields), zone))
            if found.full:
                break
    return found
