"""Reading the audit log's filters, the event select, a row's summary and the CSV export:
pure, no Redis. Bad input is a problem for its field and nothing else; CSV cells that a
spreadsheet would run are defused; the columns are fixed and hold every known field.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from admin.auditlog import events
from admin.auditlog.export import COLUMNS, defuse, lines
from admin.auditlog.filters import AuditFilter, read
from admin.auditlog.present import CORE, DETAIL, ordered, summary, tone
from auth.stores.audit import DETAIL_FIELDS, AuditEntry

LAGOS = ZoneInfo("Africa/Lagos")


def test_a_full_filter_is_read_and_asked_for_again() -> None:
    reading = read(
        {
            "event": "money.",
            "customer": " C001 ",
            "actor": "automation:ci",
            "result": "refused",
            "from": "2026-11-01",
            "to": "2026-11-02",
            "before": "1761955200000-3",
        }
    )
    assert reading.ok
    assert reading.filter == AuditFilter(
        "money.", "C001", "automation:ci", "refused", date(2026, 11, 1), date(2026, 11, 2)
    )
    assert reading.before == "1761955200000-3"
    assert read(reading.filter.args()).filter == reading.filter
    assert reading.filter.describe() == (
        "event=money. customer=C001 actor=automation:ci result=refused "
        "from=2026-11-01 to=2026-11-02"
    )
    assert AuditFilter().describe() == "no filter" and AuditFilter().args() == {}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"to": "1969-12-31"}, "to"),
        ({"from": "2026-11-03", "to": "2026-11-02"}, "to"),
        ({"event": "Money Transfer"}, "event"),
        ({"event": "money.*"}, "event"),
        ({"customer": "C001'; DROP"}, "customer"),
        ({"actor": "ada lovelace"}, "actor"),
        ({"result": "<b>"}, "result"),
        ({"before": "12"}, "before"),
        ({"before": "1-0", "after": "2-0"}, "after"),
    ],
)
def test_each_bad_value_is_a_problem_for_its_field(args: dict[str, str], field: str) -> None:
    reading = read(args)
    assert not reading.ok and list(reading.problems) == [field]


def test_from_after_to_names_the_from_date() -> None:
    problems = read({"from": "2026-11-03", "to": "2026-11-02"}).problems
    assert problems == {"to": "is before the from date (2026-11-03): pick a day on or after it"}


def test_the_date_range_in_milliseconds_on_the_banks_clock() -> None:
    chosen = AuditFilter(since=date(2026, 11, 2), until=date(2026, 11, 2))
    low, high = chosen.bounds_ms(LAGOS)
    assert low == 1793574000000  # 2026-11-01T23:00:00Z
    assert high == low + 86_400_000 - 1


def test_the_event_select_lists_families_then_their_events() -> None:
    groups = dict(events.choices({"money.transfer", "staff.token.create", "weird"}))
    families = [value for value, _ in groups["Families"]]
    assert families[:3] == ["money.", "card.", "stepup."]
    assert ("staff.token.create", "staff.token.create") in groups["Staff sign-ins and accounts"]
    assert ("weird", "weird") in groups[events.UNGROUPED]
    assert ("login", "login") in groups[events.UNGROUPED]  # known before it ever happened
    assert ("money.p2p_hold", "money.p2p_hold") in groups["Money movements"]
    # a value asked for in a link is offered even if nothing else names it
    assert ("other.", "other.* — other events") in dict(events.choices(set(), "other."))["Families"]
    assert events.matches("money.", "money.bill") and not events.matches("money.", "moneyx")


def test_a_rows_summary_and_tone() -> None:
    fields = {
        "event": "money.transfer",
        "result": "refused",
        "amount": "USD 150.00",
        "parties": "from ••6789 to ••4321 at 044",
        "reason": "insufficient_funds",
        "agent": "Mozilla/5.0",
        "before": "{}",
    }
    assert summary(fields) == (
        "amount: USD 150.00 · parties: from ••6789 to ••4321 at 044 · reason: insufficient_funds"
    )
    assert len(summary({"reason": "x" * 500})) == 120
    assert (tone("success"), tone("refused"), tone("started")) == ("good", "bad", "neutral")
    names = [name for name, _ in ordered({**fields, "zzz": "1", "digest": "d", "prev": "p"})]
    assert names == [
        "event",
        "result",
        "amount",
        "parties",
        "reason",
        "agent",
        "before",
        "zzz",
        "prev",
        "digest",
    ]


def test_every_detail_field_has_its_column() -> None:
    assert set(DETAIL) | {"actor"} == DETAIL_FIELDS
    assert len(set(COLUMNS)) == len(COLUMNS)
    assert COLUMNS[:2] == ("id", "time") and COLUMNS[-2:] == ("prev", "digest")
    assert COLUMNS[2 : 2 + len(CORE)] == CORE


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_defused(start: str) -> None:
    assert defuse(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_the_export_has_a_header_and_fixed_columns() -> None:
    entries = [
        AuditEntry(
            "1793574000000-0",
            {
                "event": "money.transfer",
                "customer": "C001",
                "amount": "USD 1.00",
                "reason": "=cmd|' /C calc'!A0",
                "parties": 'from ••6789, "quoted"\nnext line',
                "future_field": "-1",
                "prev": "0" * 64,
                "digest": "a" * 64,
            },
        ),
        AuditEntry("1793574000001-0", {"event": "login"}),
    ]
    text = "".join(lines(entries, LAGOS))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(COLUMNS)
    assert all(len(row) == len(COLUMNS) for row in rows)
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["id"] == "1793574000000-0"
    assert first["time"] == "2026-11-02T00:00:00.000+01:00"
    assert first["reason"] == "'=cmd|' /C calc'!A0"
    assert first["parties"] == 'from ••6789, "quoted"\nnext line'  # quoted, kept whole
    assert first["other"] == "future_field=-1"  # unknown fields are kept, not dropped
    assert first["digest"] == "a" * 64
    assert dict(zip(COLUMNS, rows[2], strict=True))["amount"] == ""
    assert text.endswith("\r\n")
