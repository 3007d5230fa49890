"""The audit log in Chromium: an auditor filters by event and by date, pages to older entries,
exports the filtered set (a real download, parsed as CSV) and sees a tampered entry found by
"Verify the chain"; a viewer has no menu entry and is refused the page and the verify post.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from redis import Redis

from admin.auditlog.export import COLUMNS
from admin.staff.roles import Role
from app import Services
from auth.stores.audit import AUDIT_STREAM, AuditLog
from auth.stores.audit_chain import GENESIS, digest
from tests.browser.console import signed_in_page
from tests.browser.shots import shoot
from tests.fakes import FrozenClock

pytestmark = pytest.mark.browser
# 30 October 2026, 10:00 in Lagos (UTC+1): the first of the entries made in the past.
START = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)


def made_at(redis: Redis, when: datetime, event: str, **fields: str) -> str:
    """An entry appended at ``when``, chained as the append script chains (the script can't
    append in the past: the stream's clock gives the id)."""
    newest = AuditLog(redis).window(count=1)
    entry = {"at": when.isoformat(), "event": event, "channel": "whatsapp", **fields}
    entry["prev"] = newest[0].fields["digest"] if newest else GENESIS
    entry["digest"] = digest(entry)
    chained: dict[str | bytes, str] = {}
    chained.update(entry)
    return str(redis.xadd(AUDIT_STREAM, chained, id=f"{int(when.timestamp() * 1000)}-0"))


def seed(redis: Redis) -> tuple[list[str], list[str]]:
    """Three logins on 30 October, then 60 refused bills on 31 October (bank time)."""
    logins = [
        made_at(redis, START + timedelta(minutes=n), "login", customer="C002", result="success")
        for n in range(3)
    ]
    bills = [
        made_at(
            redis,
            START + timedelta(days=1, minutes=n),
            "money.bill",
            customer="C001",
            number="+234•••••0001",
            result="refused",
            amount=f"USD {n + 1}.00",
            parties="from ••6789 to biller ELEC ref ••8901",
            reason="-insufficient_funds" if n == 0 else "insufficient_funds",
        )
        for n in range(60)
    ]
    return logins, bills


def rows(page: Page) -> list[str]:
    """The entry ids the table shows, top to bottom."""
    links = page.locator("table tbody tr td:first-child a")
    return [str(href).rsplit("/", 1)[1] for href in links.evaluate_all("l => l.map(a => a.href)")]


def test_an_auditor_filters_pages_and_exports(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    logins, bills = seed(services.redis)
    signed_in_page(page, live_server, services, clock, Role.AUDITOR, "ines.auditor")
    page.click("nav.menu >> text=Audit log")
    expect(page.locator("h1")).to_have_text("Audit log")
    expect(page.locator("main")).to_contain_text("can't be edited or deleted")
    assert rows(page)[0] not in bills + logins  # the auditor's own sign-in, newest
    # by event: the newest 50 bills, then the 10 older ones
    page.select_option("#event", "money.bill")
    page.click("button:has-text('Filter')")
    expect(page.locator("table tbody tr")).to_have_count(50)
    assert rows(page) == bills[::-1][:50]
    expect(page.locator("tbody tr").first).to_contain_text("amount: USD 60.00")
    shoot(page, "audit")
    page.click("a[rel=next]")
    assert rows(page) == bills[::-1][50:]
    expect(page.locator("a[rel=next]")).to_have_count(0)
    page.click("a[rel=prev]")
    assert rows(page) == bills[::-1][:50]
    # by date, in the bank's time zone: the 30th has the logins only
    page.select_option("#event", "")
    page.fill("#from", "2026-10-30")
    page.fill("#to", "2026-10-30")
    page.click("button:has-text('Filter')")
    assert rows(page) == logins[::-1]
    expect(page.locator("tbody tr").first).to_contain_text(
        "2026-10-30 10:02:00", use_inner_text=True
    )
    # a range the wrong way round: shown beside the date, nothing searched
    page.fill("#from", "2026-10-31")
    page.fill("#to", "2026-10-30")
    page.click("button:has-text('Filter')")
    expect(page.locator("#to-errors")).to_contain_text("is before the from date")
    expect(page.locator("table")).to_have_count(0)
    # the export: every bill the filter matches, not one page
    page.fill("#from", "2026-10-31")
    page.fill("#to", "")
    page.select_option("#event", "money.")
    page.click("button:has-text('Filter')")
    with page.expect_download() as download:
        page.click("text=Export CSV")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert list(exported[0]) == list(COLUMNS)
    assert [row["id"] for row in exported] == bills[::-1]
    assert exported[-1]["reason"] == "'-insufficient_funds"  # defused for spreadsheets
    assert exported[0]["time"] == "2026-10-31T10:59:00.000+01:00"
    newest = services.auth.audit.window(count=1)[0].fields
    assert (newest["event"], newest["actor"]) == ("audit.export", "ines.auditor")
    assert newest["reason"] == "event=money. from=2026-10-31"


def test_verify_finds_the_entry_changed_in_redis(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    _, bills = seed(services.redis)
    signed_in_page(page, live_server, services, clock, Role.AUDITOR)
    page.goto(f"{live_server}/admin/audit")
    page.click("button:has-text('Verify the chain')")
    expect(page.locator("h1")).to_have_text("The audit chain is intact")
    # Someone with Redis access changes an amount: a stream can't be edited in place, so
    # they delete it and add every entry back under its own id, one field changed.
    redis, tampered = services.redis, bills[7]
    entries = services.auth.audit.window(count=1000, newest_first=False)
    redis.delete(AUDIT_STREAM)
    for entry in entries:
        fields: dict[str | bytes, str] = {}
        fields.update(entry.fields)
        if entry.entry_id == tampered:
            fields["amount"] = "USD 0.01"
        redis.xadd(AUDIT_STREAM, fields, id=entry.entry_id)
    page.goto(f"{live_server}/admin/audit")
    page.click("button:has-text('Verify the chain')")
    expect(page.locator("h1")).to_have_text("The audit chain is broken")
    expect(page.locator("#verdict")).to_contain_text(f"breaks at entry {tampered}")
    expect(page.locator("#verdict")).to_contain_text("digest does not match")
    shoot(page, "audit-verify")
    page.click(f"#verdict a:has-text('{tampered}')")
    expect(page.locator("main")).to_contain_text("does not match its fields")
    expect(page.locator("main")).to_contain_text("USD 0.01")
    shoot(page, "audit-entry")


def test_a_viewer_cannot_reach_the_audit_log(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    seed(services.redis)
    signed_in_page(page, live_server, services, clock, Role.VIEWER)
    expect(page.locator("nav.menu")).not_to_contain_text("Audit log")
    response = page.goto(f"{live_server}/admin/audit?event=money.")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Your role can't do this")
    expect(page.locator("main")).not_to_contain_text("money.bill")
    page.goto(f"{live_server}/admin")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    entries = len(services.auth.audit.window(count=1000))
    posted = page.request.post(
        f"{live_server}/admin/audit/verify", form={"csrf_token": token or ""}
    )
    assert posted.status == 403
    assert len(services.auth.audit.window(count=1000)) == entries  # nothing ran
    export = page.request.get(f"{live_server}/admin/audit/export")
    assert export.status == 403 and "text/csv" not in export.headers["content-type"]


def test_the_audit_log_at_phone_width(
    page: Page, live_server: str, services: Services, clock: FrozenClock
) -> None:
    seed(services.redis)
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in_page(page, live_server, services, clock, Role.AUDITOR)
    page.goto(f"{live_server}/admin/audit")
    expect(page.locator("table tbody tr")).to_have_count(50)
    # the table scrolls inside its frame; the page itself never scrolls sideways
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide
    shoot(page, "audit-phone")
    page.keyboard.press("Tab")  # the skip link first, then the way to the content
    expect(page.locator(".skip")).to_be_focused()
