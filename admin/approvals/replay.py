"""Impact replay: what a change to the scenarios or the MFA configuration would have done to
the last 30 days. Every step-up decision in the audit stream (``stepup.start`` and
``stepup.decide``: the action and, for money, the amount) is one money movement or profile
change a customer asked for; each is decided again by the pure evaluation
(``auth.scenarios.evaluate``) with the rules in force now and with the change applied, for the
application of the customer's segment (``application_for``), and counted per action.

What is counted is whether a challenge is required (a required challenge the customer has no
way to answer is a refusal: it counts too), so the customer's enrolled types don't matter. A
request challenged whatever the scenarios say (a new payee's first transfer) stays challenged.
The same request decided again within a few minutes (the customer switched way, or logged in
and came back to it) counts once.

Bounded: at most ``MAX_ENTRIES`` audit entries are read, newest first; when the cap is reached
before 30 days back, the impact's note says how far back it reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from admin.approvals.kinds import Impact, ImpactLine
from auth.scenarios.evaluate import evaluate
from auth.scenarios.model import (
    ACTIONS,
    Application,
    ChallengeType,
    MfaConfig,
    Scenario,
    application_for,
)
from auth.stores.audit import AuditLog
from bank.ports import Customer

DAYS = 30
MAX_ENTRIES = 20_000  # audit entries read per replay (every event type, not only step-ups)
PAGE = 1000
DECISIONS = frozenset({"stepup.start", "stepup.decide"})
# Decision texts of auth.scenarios.evaluate / auth.stepup.service that say something about the
# request itself: a switch of way is no new request; "always challenged for this request" is
# the forced challenge of a new payee's first transfer.
SWITCHED = "switched"
FORCED = "always challenged for this request"
SAME_REQUEST = timedelta(minutes=5)  # a code's longest life: a repeat within it is one request
ALL_TYPES = frozenset(ChallengeType)
WHAT = "challenged"


@dataclass(frozen=True)
class Event:
    """One request a step-up decided: whose application, which action, what amount."""

    application: Application
    action: str
    amount: Decimal | None
    force: bool = False


@dataclass(frozen=True)
class Rules:
    """The scenarios and configuration a decision is made with."""

    scenarios: tuple[Scenario, ...]
    config: MfaConfig

    def challenges(self, event: Event) -> bool:
        decision = evaluate(
            self.scenarios,
            self.config,
            event.application,
            event.action,
            event.amount,
            ALL_TYPES,
            force=event.force,
        )
        return decision.required


@dataclass(frozen=True)
class History:
    """The requests replayed, and how far back reading went when it stopped at the cap."""

    events: tuple[Event, ...]
    capped_at: datetime | None = None  # the oldest entry read, when the cap stopped reading
    cap: int = MAX_ENTRIES


def _amount(raw: str) -> Decimal | None:
    """``"USD 150.00"`` → 150.00; none or unreadable → None (over any threshold, as the chat
    decided it)."""
    text = raw.rpartition(" ")[2]
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _when(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def replay(
    history: History, before: Rules, after: Rules, actions: Iterable[str] | None = None
) -> tuple[ImpactLine, ...]:
    """Per action (those named, else every action replayed, in catalogue order): replayed,
    challenged with ``before``, challenged with ``after``."""
    counts: dict[str, list[int]] = {a: [0, 0, 0] for a in actions or ()}
    for event in history.events:
        if actions is not None and event.action not in counts:
            continue
        row = counts.setdefault(event.action, [0, 0, 0])
        row[0] += 1
        row[1] += before.challenges(event)
        row[2] += after.challenges(event)
    order = list(ACTIONS)
    return tuple(
        ImpactLine(action, *row)
        for action, row in sorted(counts.items(), key=lambda kv: order.index(kv[0]))
    )


def impact(
    history: History, before: Rules, after: Rules, actions: Iterable[str] | None = None
) -> Impact:
    """The replay as an ``Impact``, with a note when there was nothing or not all to read."""
    lines = replay(history, before, after, actions)
    notes = []
    if not history.events:
        notes.append(f"no money movement or profile change in the last {DAYS} days")
    if history.capped_at is not None:
        notes.append(
            f"only the newest {history.cap:,} audit entries were read, back to"
            f" {history.capped_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        )
    return Impact(DAYS, WHAT, lines, "; ".join(notes))


@dataclass
class HistoryReader:
    """Reads the step-up decisions since a time from the audit stream, newest first, and the
    customers' segments from the bank; keeps the last reading a minute (a page showing several
    pending changes reads the stream once)."""

    audit: AuditLog
    customer: Callable[[str], Customer | None]  # the bank's customer lookup
    clock: Callable[[], datetime]
    max_entries: int = MAX_ENTRIES
    _cache: tuple[datetime, datetime, History] | None = field(default=None, repr=False)

    def since(self, since: datetime) -> History:
        now = self.clock()
        if self._cache is not None:
            read_at, read_since, history = self._cache
            if abs(read_since - since) < timedelta(minutes=1) and now - read_at < timedelta(
                minutes=1
            ):
                return history
        history = self._read(since)
        self._cache = (now, since, history)
        return history

    def _entries(self) -> Iterator[dict[str, str]]:
        """Newest first, at most ``max_entries``."""
        for entry in self.audit.newest(self.max_entries, PAGE):
            yield dict(entry.fields)

    def _read(self, since: datetime) -> History:
        segments: dict[str, Application] = {}
        last_seen: dict[tuple[str, str, str], datetime] = {}
        events: list[Event] = []
        read, oldest = 0, None
        for fields in self._entries():
            read += 1
            at = _when(fields.get("at", ""))
            if at is None:
                continue
            if at < since:  # the stream is in time order: nothing older is wanted
                return History(tuple(events), cap=self.max_entries)
            oldest = at
            if fields.get("event") not in DECISIONS or fields.get("decision") == SWITCHED:
                continue
            action = fields.get("action", "")
            if action not in ACTIONS:
                continue
            customer_id = fields.get("customer", "")
            key = (customer_id, action, fields.get("amount", ""))
            seen = last_seen.get(key)
            last_seen[key] = at
            if seen is not None and seen - at <= SAME_REQUEST:
                continue  # the same request decided again a moment later
            if customer_id not in segments:
                found = self.customer(customer_id) if customer_id else None
                segments[customer_id] = application_for(found.segment if found else "")
            events.append(
                Event(
                    segments[customer_id],
                    action,
                    _amount(fields.get("amount", "")),
                    force=fields.get("decision") == FORCED,
                )
            )
        capped = oldest if read >= self.max_entries else None
        return History(tuple(events), capped, self.max_entries)
