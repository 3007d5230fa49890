"""What staff ask of the audit log, read from a query string: the filters (event or family,
customer, staff user, result, a date range in the bank's time zone) and the paging cursor.

Reading fails closed: a value that can't be used becomes a problem for its field (shown beside
it) and nothing is queried; an empty value is no filter. Values are checked against patterns,
so what reaches the query (and the ``reason`` of ``audit.export``) is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A stream id: milliseconds-sequence.
ENTRY_ID = re.compile(r"[0-9]{1,15}-[0-9]{1,19}")
EVENT = re.compile(r"[a-z0-9_]{1,40}(\.[a-z0-9_]{1,40}){0,4}\.?")
CUSTOMER = re.compile(r"[A-Za-z0-9_-]{1,40}")
ACTOR = re.compile(r"[A-Za-z0-9._@:+-]{1,100}")
RESULT = re.compile(r"[a-z0-9_.]{1,40}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)

# The results Teller writes, for the result select (others are accepted when typed in a link).
RESULTS = (
    "success",
    "ok",
    "failure",
    "failed",
    "locked",
    "refused",
    "replayed",
    "blocked",
    "started",
    "passed",
    "wrong",
    "expired",
    "exhausted",
    "mismatch",
    "cancelled",
    "not_required",
    "unavailable",
    "no_session",
)
FIELDS = ("event", "customer", "actor", "result", "from", "to")


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show; an empty field filters nothing. Dates are whole days, both
    inclusive, on the bank's calendar."""

    event: str = ""  # exact, or a family ending with "." (``money.``)
    customer: str = ""
    actor: str = ""  # the staff user (``automation:<name>`` for the shared key)
    result: str = ""
    since: date | None = None
    until: date | None = None

    def args(self) -> dict[str, str]:
        """The query string that asks for this filter again (paging and export links)."""
        values = {
            "event": self.event,
            "customer": self.customer,
            "actor": self.actor,
            "result": self.result,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {name: value for name, value in values.items() if value}

    def describe(self) -> str:
        """One line for the audit (``audit.export``'s reason): ``event=money. from=2026-11-01``."""
        args = self.args()
        return " ".join(f"{name}={value}" for name, value in args.items()) or "no filter"

    def bounds_ms(self, zone: ZoneInfo) -> tuple[int | None, int | None]:
        """The date range as stream-id milliseconds: the first of ``since`` and the last of
        ``until``, midnight to midnight in ``zone``."""
        low = _midnight(self.since, zone) if self.since else None
        high = _midnight(self.until + timedelta(days=1), zone) - 1 if self.until else None
        return low, high


def _midnight(day: date, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, time(), tzinfo=zone).timestamp() * 1000)


@dataclass
class Reading:
    """A query string read: the filter, the cursor, and each field's problem (if any)."""

    filter: AuditFilter
    before: str = ""  # show entries older than this id
    after: str = ""  # show entries newer than this id
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(args: Mapping[str, str], name: str) -> str:
    return str(args.get(name, "") or "").strip()


def _day(args: Mapping[str, str], name: str, problems: dict[str, str]) -> date | None:
    raw = _text(args, name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if DAY.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None:
        problems[name] = "not a date: pick one from the calendar (YYYY-MM-DD)"
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        problems[name] = f"use a date between {FIRST_DAY} and {LAST_DAY}"
        return None
    return day


def _pattern(
    args: Mapping[str, str],
    name: str,
    pattern: re.Pattern[str],
    rule: str,
    problems: dict[str, str],
) -> str:
    raw = _text(args, name)
    if raw and not pattern.fullmatch(raw):
        problems[name] = rule
        return ""
    return raw


def read(args: Mapping[str, str]) -> Reading:
    """Read the filters and cursor from a query string (``request.args``)."""
    problems: dict[str, str] = {}
    event = _pattern(
        args,
        "event",
        EVENT,
        "an event type such as money.transfer, or a family such as money.",
        problems,
    )
    customer = _pattern(
        args, "customer", CUSTOMER, "a customer id: letters, digits, '-' or '_'", problems
    )
    actor = _pattern(
        args, "actor", ACTOR, "a staff username (letters, digits, . _ @ : + -)", problems
    )
    result = _pattern(args, "result", RESULT, "a result such as success or refused", problems)
    since, until = _day(args, "from", problems), _day(args, "to", problems)
    if since and until and since > until:
        problems["to"] = f"is before the from date ({since}): pick a day on or after it"
    before = _pattern(args, "before", ENTRY_ID, "not an entry id", problems)
    after = _pattern(args, "after", ENTRY_ID, "not an entry id", problems)
    if before and after:
        problems["after"] = "a page is older or newer than an entry, not both"
    chosen = AuditFilter(event, customer, actor, result, since, until)
    return Reading(chosen, before, after, problems)
