"""The staff console's audit query against real Redis: each filter, date edges at midnight on
the bank's clock (Lagos, and a DST day in London), paging newest first with no entry shown
twice or skipped while entries are appended between pages, the bounded scan, one entry and
its neighbours, and the export's set fixed when it starts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from redis import Redis

from admin.auditlog import query as query_module
from admin.auditlog.filters import AuditFilter
from admin.auditlog.query import AuditQuery, entry_time
from auth.stores.audit import AUDIT_STREAM, AuditLog
from auth.stores.audit_chain import GENESIS, digest

LAGOS = ZoneInfo("Africa/Lagos")
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def redis(store_redis: Redis) -> Redis:
    """An empty Redis: single, fakeredis, Sentinel-managed or Cluster (``store_redis``)."""
    return store_redis


@pytest.fixture
def audit(redis: Redis) -> AuditLog:
    return AuditLog(redis)


@pytest.fixture
def query(audit: AuditLog) -> AuditQuery:
    return AuditQuery(audit, LAGOS)


def record(audit: AuditLog, event: str = "money.transfer", **detail: str) -> str:
    fields = {"customer_id": "C001", "result": "success", "channel": "whatsapp", **detail}
    return audit.record(
        event,
        at=AT,
        customer_id=fields.pop("customer_id"),
        msisdn="+2348030000001",
        channel=fields.pop("channel"),
        result=fields.pop("result"),
        **fields,
    )


def at_ms(redis: Redis, when: datetime, event: str = "login", seq: int = 0) -> str:
    """An entry appended at ``when`` (as if the stream's clock said so), chained like the
    append script chains: the stream can't be given an id in the past through the script."""
    newest = AuditLog(redis).window(count=1)
    fields = {"at": when.isoformat(), "event": event, "customer": "C001", "result": "ok"}
    fields["prev"] = newest[0].fields["digest"] if newest else GENESIS
    fields["digest"] = digest(fields)
    entry_id = f"{int(when.timestamp() * 1000)}-{seq}"
    chained: dict[str | bytes, str] = {}
    chained.update(fields)
    redis.xadd(AUDIT_STREAM, chained, id=entry_id)
    return entry_id


def ids(page: query_module.Page) -> list[str]:
    return [entry.entry_id for entry in page.entries]


# --- filters ---


def test_each_filter_alone_and_together(audit: AuditLog, query: AuditQuery) -> None:
    transfer = record(audit, amount="USD 10.00")
    bill = record(audit, "money.bill", result="refused", reason="insufficient_funds")
    login = record(audit, "login", channel="web")
    other = record(audit, "money.transfer", customer_id="C002")
    staff = record(audit, "customer.block", customer_id="C002", actor="ada", channel="console")
    automation = record(audit, "mfa.scenario.update", customer_id="", actor="automation:ci")
    step = record(audit, "stepup.verify", result="passed")

    def shown(**chosen: str) -> list[str]:
        return ids(query.page(AuditFilter(**chosen)))

    assert shown() == [step, automation, staff, other, login, bill, transfer]
    assert shown(event="money.transfer") == [other, transfer]
    assert shown(event="money.") == [other, bill, transfer]  # a family, by its prefix
    assert shown(event="money") == []  # not a family without its dot: no such event
    assert shown(event="stepup.") == [step]
    assert shown(customer="C002") == [staff, other]
    assert shown(customer="c002") == [staff, other]  # ids are not case-sensitive to staff
    assert shown(actor="ada") == [staff]
    assert shown(actor="automation:ci") == [automation]
    assert shown(result="refused") == [bill]
    assert shown(event="money.", customer="C001", result="success") == [transfer]


def test_date_range_is_midnight_to_midnight_on_the_banks_clock(
    redis: Redis, query: AuditQuery
) -> None:
    # Lagos is UTC+1: its 2 November starts at 23:00 UTC on 1 November.
    last_of_1st = at_ms(redis, datetime(2026, 11, 1, 22, 59, 59, 999000, tzinfo=UTC))
    first_of_2nd = at_ms(redis, datetime(2026, 11, 1, 23, 0, tzinfo=UTC))
    same_ms = at_ms(redis, datetime(2026, 11, 1, 23, 0, tzinfo=UTC), seq=1)
    last_of_2nd = at_ms(redis, datetime(2026, 11, 2, 22, 59, 59, 999000, tzinfo=UTC))
    first_of_3rd = at_ms(redis, datetime(2026, 11, 2, 23, 0, tzinfo=UTC))

    def shown(since: date | None, until: date | None) -> list[str]:
        return ids(query.page(AuditFilter(since=since, until=until)))

    nov1, nov2, nov3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)
    assert shown(nov2, nov2) == [last_of_2nd, same_ms, first_of_2nd]
    assert shown(nov1, nov1) == [last_of_1st]
    assert shown(nov3, None) == [first_of_3rd]
    assert shown(None, nov1) == [last_of_1st]
    assert shown(nov1, nov3) == [first_of_3rd, last_of_2nd, same_ms, first_of_2nd, last_of_1st]
    assert shown(date(2026, 11, 4), None) == []
    assert entry_time(first_of_2nd, LAGOS).isoformat() == "2026-11-02T00:00:00+01:00"


def test_a_day_with_a_clock_change_has_all_its_hours(audit: AuditLog, redis: Redis) -> None:
    london = AuditQuery(audit, ZoneInfo("Europe/London"))
    # 25 October 2026: clocks go back at 02:00 BST, a 25-hour day (23:00 UTC on the 24th to
    # 00:00 UTC on the 26th).
    before = at_ms(redis, datetime(2026, 10, 24, 22, 59, 59, 999000, tzinfo=UTC))
    first = at_ms(redis, datetime(2026, 10, 24, 23, 0, tzinfo=UTC))
    late = at_ms(redis, datetime(2026, 10, 25, 23, 59, 59, 999000, tzinfo=UTC))
    after = at_ms(redis, datetime(2026, 10, 26, 0, 0, tzinfo=UTC))
    day = date(2026, 10, 25)
    assert ids(london.page(AuditFilter(since=day, until=day))) == [late, first]
    assert ids(london.page(AuditFilter(until=date(2026, 10, 24)))) == [before]
    assert ids(london.page(AuditFilter(since=date(2026, 10, 26)))) == [after]


# --- paging ---


def test_pages_newest_first_with_cursors(audit: AuditLog, query: AuditQuery) -> None:
    made = [record(audit, reference=f"TX{n}") for n in range(7)]
    first = query.page(AuditFilter(), size=3)
    assert ids(first) == made[::-1][:3]
    assert (first.older, first.newer) == (made[4], "")
    second = query.page(AuditFilter(), before=first.older, size=3)
    assert ids(second) == made[::-1][3:6]
    assert second.newer == made[3]
    third = query.page(AuditFilter(), before=second.older, size=3)
    assert ids(third) == [made[0]] and third.older == ""
    # and back up: the page above the third is the second, above the second is the newest
    assert ids(query.page(AuditFilter(), after=third.newer, size=3)) == ids(second)
    assert ids(query.page(AuditFilter(), after=second.newer, size=3)) == ids(first)


def test_no_entry_twice_or_skipped_while_entries_arrive(audit: AuditLog, query: AuditQuery) -> None:
    made = [record(audit, "money." + ("bill" if n % 3 else "transfer")) for n in range(40)]
    wanted = [entry_id for n, entry_id in enumerate(made) if n % 3][::-1]
    seen: list[str] = []
    chosen = AuditFilter(event="money.bill")
    page = query.page(chosen, size=4)
    while True:
        seen += ids(page)
        for n in range(3):  # new entries between every two pages, matching and not
            record(audit, "money.bill" if n else "login")
        if not page.older:
            break
        page = query.page(chosen, before=page.older, size=4)
    assert seen == wanted  # each once, in order, none of the new ones


def test_a_sparse_filter_stops_at_the_budget_and_goes_on(
    audit: AuditLog, query: AuditQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_module, "BUDGET", 25)
    rare = record(audit, "block", result="blocked")
    for _ in range(60):
        record(audit)
    chosen = AuditFilter(event="block")
    page = query.page(chosen)
    assert page.entries == [] and page.partial and page.older
    pages = [page]
    while pages[-1].older:
        pages.append(query.page(chosen, before=pages[-1].older))
    found = [entry_id for p in pages for entry_id in ids(p)]
    assert found == [rare]
    assert not pages[-1].partial


def test_a_cursor_at_the_bottom_or_top(audit: AuditLog, query: AuditQuery) -> None:
    made = [record(audit) for _ in range(3)]
    assert ids(query.page(AuditFilter(), before="0-0")) == []
    assert ids(query.page(AuditFilter(), before=made[0])) == []
    assert ids(query.page(AuditFilter(), after=made[-1])) == made[::-1]  # the newest page


# --- one entry, the export set, the events present ---


def test_one_entry_and_its_neighbours(audit: AuditLog, query: AuditQuery) -> None:
    made = [record(audit, reference=f"TX{n}") for n in range(3)]
    entry = query.get(made[1])
    assert entry is not None and entry.fields["reference"] == "TX1"
    assert entry.fields["digest"] == digest(entry.fields)
    assert query.neighbours(made[1]) == (made[0], made[2])
    assert query.neighbours(made[0]) == ("", made[1])
    assert query.get("1-0") is None


def test_matching_is_every_match_as_the_stream_stood(
    audit: AuditLog, query: AuditQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_module, "BATCH", 7)  # several round trips
    made = [record(audit, "money.bill" if n % 2 else "login") for n in range(30)]
    found = query.matching(AuditFilter(event="money.bill"))
    first = next(found)
    record(audit, "money.bill")  # appended while the export runs: not in it
    rest = [entry.entry_id for entry in found]
    assert [first.entry_id, *rest] == [e for n, e in enumerate(made) if n % 2][::-1]
    assert list(AuditQuery(audit, LAGOS).matching(AuditFilter(event="none"))) == []


def test_event_types_present(audit: AuditLog, query: AuditQuery) -> None:
    assert query.present_events() == set()
    record(audit, "money.transfer")
    record(audit, "staff.token.create")
    assert query.present_events() == {"money.transfer", "staff.token.create"}
