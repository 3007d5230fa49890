"""The audit stream read for staff: a page of entries newest first, every entry a filter
matches (for export), one entry and its neighbours, and the event types in recent entries.

An entry's time is its stream id (the milliseconds Redis gave it when it was appended: the
order of the chain, and what retention trims by), so a date range bounds ``XREVRANGE`` by id
instead of reading everything. Pages are cut by cursor, not offset: "older" reads strictly
below the last id shown and "newer" strictly above the first, so entries appended between two
requests (always at the top) never push one onto the next page twice or off it unseen.

Work per request is bounded: a page examines at most ``BUDGET`` entries; when a rare filter
has not filled the page by then, the page says so and its "older" cursor goes on from the last
entry examined (nothing skipped, nothing repeated).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from admin.auditlog import events
from admin.auditlog.filters import AuditFilter
from auth.stores.audit import AuditEntry, AuditLog

PAGE_SIZE = 50
BUDGET = 20_000  # entries examined at most for one page
BATCH = 1000  # entries read per round trip, at most
SAMPLE = 500  # recent entries looked at for the event types present
MAX_SEQ = 2**64 - 1

Id = tuple[int, int]  # (milliseconds, sequence)


def parse_id(entry_id: str) -> Id:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _text(at: Id) -> str:
    return f"{at[0]}-{at[1]}"


def _below(at: Id) -> Id | None:
    """The greatest id less than ``at`` (None below the first possible one)."""
    ms, seq = at
    if seq > 0:
        return ms, seq - 1
    return (ms - 1, MAX_SEQ) if ms > 0 else None


def _above(at: Id) -> Id:
    ms, seq = at
    return (ms, seq + 1) if seq < MAX_SEQ else (ms + 1, 0)


def entry_time(entry_id: str, zone: ZoneInfo) -> datetime:
    """When the stream took the entry, on the bank's clock."""
    return datetime.fromtimestamp(parse_id(entry_id)[0] / 1000, UTC).astimezone(zone)


def matches(chosen: AuditFilter, fields: Mapping[str, str]) -> bool:
    """Whether an entry passes the filter's fields (the dates are the id range's business)."""
    if chosen.event and not events.matches(chosen.event, fields.get("event", "")):
        return False
    if chosen.customer and fields.get("customer", "").lower() != chosen.customer.lower():
        return False
    if chosen.actor and fields.get("actor", "").lower() != chosen.actor.lower():
        return False
    return not chosen.result or fields.get("result", "") == chosen.result


@dataclass(frozen=True)
class Page:
    """One page, newest first, and the cursors to the pages beside it ("" for none)."""

    entries: list[AuditEntry]
    older: str = ""  # pass as ``before``
    newer: str = ""  # pass as ``after``
    partial: bool = False  # the budget ran out before the page filled: older may still match


@dataclass(frozen=True)
class _Scan:
    found: list[AuditEntry]
    last: Id | None  # the last entry examined
    done: bool  # the range was read to its end


class AuditQuery:
    """Read-only access to the audit stream, through the store's one read (``window``)."""

    def __init__(self, audit: AuditLog, zone: ZoneInfo) -> None:
        self.audit = audit
        self.zone = zone

    # --- bounds ---

    def _range(self, chosen: AuditFilter) -> tuple[Id, Id | None]:
        """(lowest, highest) id the date range allows; None: no upper bound."""
        low_ms, high_ms = chosen.bounds_ms(self.zone)
        low = (max(low_ms, 0), 0) if low_ms is not None else (0, 0)
        high = (max(high_ms, 0), MAX_SEQ) if high_ms is not None else None
        return low, high

    def _read(self, high: Id | None, low: Id, count: int, *, up: bool = False) -> list[AuditEntry]:
        top = _text(high) if high is not None else "+"
        return self.audit.window(_text(low), top, count, newest_first=not up)

    def _scan(
        self, chosen: AuditFilter, low: Id, high: Id | None, want: int, *, up: bool = False
    ) -> _Scan:
        """Up to ``want`` matching entries from ``high`` down to ``low`` (or up, from ``low``),
        examining at most ``BUDGET``."""
        found: list[AuditEntry] = []
        last: Id | None = None
        examined, count = 0, min(BATCH, max(want, 10))
        while examined < BUDGET:
            if high is not None and low > high:
                return _Scan(found, last, True)
            asked = min(count, BUDGET - examined)
            batch = self._read(high, low, asked, up=up)
            for entry in batch:
                examined += 1
                last = parse_id(entry.entry_id)
                if matches(chosen, entry.fields):
                    found.append(entry)
                    if len(found) >= want:
                        return _Scan(found, last, False)
            if len(batch) < asked:
                return _Scan(found, last, True)
            assert last is not None
            if up:
                low = _above(last)
            else:
                below = _below(last)
                if below is None:
                    return _Scan(found, last, True)
                high = below
            count = min(BATCH, count * 2)  # a sparse filter: read more at a time
        return _Scan(found, last, False)

    # --- pages ---

    def page(
        self, chosen: AuditFilter, *, before: str = "", after: str = "", size: int = PAGE_SIZE
    ) -> Page:
        """The page of ``size`` matching entries, newest first: the newest ones, those older
        than ``before`` or those newer than ``after``."""
        low, high = self._range(chosen)
        if after:
            return self._newer(chosen, parse_id(after), low, high, size)
        if before:
            below = _below(parse_id(before))
            if below is None:  # nothing is older than the first possible id
                return Page([])
            high = below if high is None else min(high, below)
        scan = self._scan(chosen, low, high, size + 1)
        shown = scan.found[:size]
        older = ""
        if len(scan.found) > size:
            older = shown[-1].entry_id
        elif not scan.done and scan.last is not None:
            older = _text(scan.last)
        newer = ""
        if before and high is not None:  # the page above: newer than what this one shows
            newer = shown[0].entry_id if shown else _text(high)
        partial = not scan.done and len(scan.found) <= size
        return Page(shown, older, newer, partial)

    def _newer(self, chosen: AuditFilter, after: Id, low: Id, high: Id | None, size: int) -> Page:
        scan = self._scan(chosen, max(low, _above(after)), high, size + 1, up=True)
        if scan.done and len(scan.found) <= size:
            return self.page(chosen, size=size)  # reached the top: the newest page
        shown = scan.found[:size]
        if len(scan.found) > size:
            newer = shown[-1].entry_id
        else:  # the budget ran out going up: go on from the last entry examined
            newer = _text(scan.last) if scan.last is not None else ""
        shown.reverse()
        older = shown[-1].entry_id if shown else _text(_above(after))
        return Page(shown, older, newer, partial=len(scan.found) <= size)

    # --- everything a filter matches ---

    def matching(self, chosen: AuditFilter) -> Iterator[AuditEntry]:
        """Every matching entry, newest first, as the stream stood when this started (entries
        appended meanwhile are not included, so an export is one well-defined set)."""
        low, high = self._range(chosen)
        newest = self._read(high, low, 1)
        if not newest:
            return
        top: Id | None = parse_id(newest[0].entry_id)
        while top is not None and top >= low:
            batch = self._read(top, low, BATCH)
            yield from (entry for entry in batch if matches(chosen, entry.fields))
            if len(batch) < BATCH:
                return
            top = _below(parse_id(batch[-1].entry_id))

    # --- one entry ---

    def get(self, entry_id: str) -> AuditEntry | None:
        found = self._read(parse_id(entry_id), parse_id(entry_id), 1)
        return found[0] if found else None

    def neighbours(self, entry_id: str) -> tuple[str, str]:
        """The ids of the entries just before and just after this one in the chain ("" none)."""
        at = parse_id(entry_id)
        below = _below(at)
        older = self._read(below, (0, 0), 1) if below is not None else []
        newer = self._read(None, _above(at), 1, up=True)
        return (older[0].entry_id if older else "", newer[0].entry_id if newer else "")

    def present_events(self) -> set[str]:
        """The event types among the most recent entries (the filter's list adds the known)."""
        recent = self._read(None, (0, 0), SAMPLE)
        return {entry.fields.get("event", "") for entry in recent} - {""}
