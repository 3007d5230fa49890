"""The console's audit log over HTTP (Flask's client, real Redis): auditors and admins read,
filter, page, open an entry, export and verify; a bad date is shown beside its field and
nothing is searched; the export is every match as CSV, audited with its filters; viewers and
operators are refused everything (GET and POST) and see no menu entry.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask

from admin.auditlog.export import COLUMNS
from admin.staff.roles import Role
from app import Services
from auth.stores.audit import AUDIT_STREAM, AuditLog
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock


def record(audit: AuditLog, clock: FrozenClock, event: str, **detail: str) -> str:
    customer = detail.pop("customer", "C001")
    result = detail.pop("result", "success")
    return audit.record(
        event,
        at=clock(),
        customer_id=customer,
        msisdn="+2348030000001",
        channel="whatsapp",
        result=result,
        **detail,
    )


@pytest.fixture
def auditor(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    return console_as(app, services, clock, Role.AUDITOR)[0]


def shown_ids(html: str) -> list[str]:
    return re.findall(r'href="/admin/audit/([0-9]+-[0-9]+)"', html)


def test_the_table_filters_and_links_each_entry(
    auditor: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    audit = services.auth.audit
    transfer = record(
        audit, clock, "money.transfer", amount="USD 150.00", parties="from ••6789 to ••4321"
    )
    bill = record(audit, clock, "money.bill", result="refused", reason="insufficient_funds")
    other = record(audit, clock, "login", customer="C002")
    page = auditor.get("/admin/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    ids = shown_ids(html)
    assert ids[:3] == [other, bill, transfer]  # newest first, after the auditor's own sign-in
    assert "amount: USD 150.00 · parties: from ••6789 to ••4321" in html
    assert "Entries can't be edited or deleted" in html
    assert shown_ids(auditor.get("/admin/audit?event=money.").get_data(as_text=True)) == [
        bill,
        transfer,
    ]
    assert shown_ids(auditor.get("/admin/audit?customer=C002").get_data(as_text=True)) == [other]
    assert shown_ids(auditor.get("/admin/audit?result=refused").get_data(as_text=True)) == [bill]
    by_auditor = auditor.get("/admin/audit?actor=auditor.one&event=staff.login")
    assert len(shown_ids(by_auditor.get_data(as_text=True))) == 1


def test_a_bad_date_is_shown_beside_its_field_and_nothing_is_searched(
    auditor: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    record(services.auth.audit, clock, "money.transfer")
    page = auditor.get("/admin/audit?from=2026-11-03&to=2026-11-02&event=money.")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'id="to-errors"' in html and "is before the from date (2026-11-03)" in html
    assert 'id="to" name="to" type="date" value="2026-11-02"' in html  # what was typed stays
    assert shown_ids(html) == [] and "Nothing was searched" in html
    assert "Export CSV" not in html
    html = auditor.get("/admin/audit?from=2026-02-30").get_data(as_text=True)
    assert 'id="from-errors"' in html and shown_ids(html) == []
    broken = auditor.get("/admin/audit?before=nope")
    assert broken.status_code == 400
    assert "This page link is broken" in broken.get_data(as_text=True)


def test_paging_by_cursor(auditor: ConsoleClient, services: Services, clock: FrozenClock) -> None:
    made = [record(services.auth.audit, clock, "money.bill") for _ in range(55)]
    first = auditor.get("/admin/audit?event=money.bill").get_data(as_text=True)
    assert shown_ids(first) == made[::-1][:50]
    older = re.search(r'href="(/admin/audit\?[^"]*before=[^"]+)"', first)
    assert older is not None
    second = auditor.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert shown_ids(second) == made[::-1][50:]
    assert 'rel="next"' not in second and ">Newest entries</a>" in second


def test_one_entry_shows_every_field_and_its_chain(
    auditor: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    audit = services.auth.audit
    first = record(audit, clock, "money.transfer", reference="TX1", amount="USD 1.00")
    second = record(audit, clock, "money.transfer", reference="TX2")
    html = auditor.get(f"/admin/audit/{first}").get_data(as_text=True)
    fields = audit.window(first, first, 1)[0].fields
    for name, value in fields.items():
        assert f"<dt>{name}</dt>" in html and value in html
    assert "matches its fields" in html and f'href="/admin/audit/{second}">Newer entry' in html
    assert auditor.get("/admin/audit/1-0").status_code == 404
    assert auditor.get("/admin/audit/nope").status_code == 404


def test_the_export_is_every_match_and_is_audited(
    auditor: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    audit = services.auth.audit
    made = [
        record(audit, clock, "money.bill", reason="=HYPERLINK(1)", reference=f"B{n}")
        for n in range(60)
    ]
    record(audit, clock, "login")
    response = auditor.get("/admin/audit/export?event=money.bill")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(COLUMNS)
    assert [row["id"] for row in rows] == made[::-1]  # all 60, not one page
    assert {row["reason"] for row in rows} == {"'=HYPERLINK(1)"}
    newest = audit.window(count=1)[0].fields
    assert (newest["event"], newest["actor"], newest["channel"]) == (
        "audit.export",
        "auditor.one",
        "console",
    )
    assert newest["reason"] == "event=money.bill"
    bad = auditor.get("/admin/audit/export?to=31/12/2026")
    assert bad.status_code == 400 and 'id="to-errors"' in bad.get_data(as_text=True)
    assert audit.window(count=1)[0].fields["event"] == "audit.export"  # no second export


def test_verify_shows_the_first_broken_entry(
    auditor: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    audit, redis = services.auth.audit, services.redis
    made = [record(audit, clock, "money.transfer", amount=f"USD {n}.00") for n in range(3)]
    intact = auditor.post("/admin/audit/verify").get_data(as_text=True)
    assert "The audit chain is intact" in intact
    entries = audit.window(newest_first=False, count=1000)
    redis.delete(AUDIT_STREAM)
    for entry in entries:  # what someone with Redis access could do: rewrite with one changed
        fields: dict[str | bytes, str] = {}
        fields.update(entry.fields)
        if entry.entry_id == made[1]:
            fields["amount"] = "USD 9000.00"
        redis.xadd(AUDIT_STREAM, fields, id=entry.entry_id)
    broken = auditor.post("/admin/audit/verify")
    html = broken.get_data(as_text=True)
    assert "The audit chain is broken" in html and made[1] in html
    assert "digest does not match" in html
    newest = audit.window(count=1)[0].fields
    assert (newest["event"], newest["result"]) == ("audit.verify", "broken")
    changed = auditor.get(f"/admin/audit/{made[1]}").get_data(as_text=True)
    assert "does not match its fields" in changed


def test_verify_needs_the_forms_csrf_token(
    auditor: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    before = len(services.auth.audit.window(count=1000))
    response = auditor.client.post("/admin/audit/verify")
    assert response.status_code == 400
    assert len(services.auth.audit.window(count=1000)) == before  # nothing ran, nothing audited


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_viewers_and_operators_are_refused(
    app: Flask, services: Services, clock: FrozenClock, role: Role
) -> None:
    record(services.auth.audit, clock, "money.transfer")
    console, _ = console_as(app, services, clock, role)
    assert 'href="/admin/audit"' not in console.get("/admin").get_data(as_text=True)
    for path in ("/admin/audit", "/admin/audit/export", "/admin/audit/1-0"):
        assert console.get(path).status_code == 403, path
    entries = len(services.auth.audit.window(count=1000))
    refused = console.post("/admin/audit/verify")
    assert refused.status_code == 403
    assert "read audit" in refused.get_data(as_text=True)
    assert len(services.auth.audit.window(count=1000)) == entries  # no verify ran


def test_an_admin_reads_it_too(app: Flask, services: Services, clock: FrozenClock) -> None:
    console, _ = console_as(app, services, clock, Role.ADMIN)
    assert 'href="/admin/audit"' in console.get("/admin").get_data(as_text=True)
    assert console.get("/admin/audit").status_code == 200


def test_signed_out_goes_to_sign_in(client: object, app: Flask) -> None:
    response = app.test_client().get("/admin/audit?event=money.")
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]
