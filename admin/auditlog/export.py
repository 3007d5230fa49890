"""The audit export: every entry a filter matches as CSV, one line at a time (an export of a
year's entries is never held in memory), with a header row and the same columns in the same
order whatever the entries hold.

Columns: the entry id, its time on the bank's clock, the core fields, every detail field,
``other`` (any field Teller does not know yet, ``name=value; …``, so nothing is dropped) and
the chain's ``prev`` and ``digest`` (so the export can be checked against the stream).

Cells are defused against spreadsheet formula injection (OWASP "CSV Injection"): a value that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, so a
spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from admin.auditlog.present import CHAIN, CORE, DETAIL
from admin.auditlog.query import entry_time
from auth.stores.audit import AuditEntry

COLUMNS = ("id", "time", *CORE, *DETAIL, "other", *CHAIN)
KNOWN = frozenset((*CORE, *DETAIL, *CHAIN))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """The cell as text a spreadsheet won't evaluate."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cells(entry: AuditEntry, zone: ZoneInfo) -> list[str]:
    fields = entry.fields
    other = "; ".join(f"{name}={fields[name]}" for name in sorted(set(fields) - KNOWN))
    values = {
        **fields,
        "id": entry.entry_id,
        "time": entry_time(entry.entry_id, zone).isoformat(timespec="milliseconds"),
        "other": other,
    }
    return [defuse(values.get(column, "")) for column in COLUMNS]


def _line(values: Iterable[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(list(values))
    return out.getvalue()


def lines(entries: Iterable[AuditEntry], zone: ZoneInfo) -> Iterator[str]:
    """The header, then one CSV line per entry (``\\r\\n``-terminated, as RFC 4180 says)."""
    yield _line(COLUMNS)
    for entry in entries:
        yield _line(cells(entry, zone))
