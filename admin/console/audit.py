"""The audit log in the console (Governance > Audit log), for auditors and admins
(``READ_AUDIT``): the filtered table newest first with cursor paging, one entry with every
field and its place in the chain, the CSV export of everything the filters match (itself
audited as ``audit.export``), and "Verify the chain" (audited as ``audit.verify``).

Read only, by design: no route here (nor anywhere in the console or its API) edits or deletes
an entry. Bad filter input is shown beside its field and nothing is queried.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import urlencode

from flask import Response, abort, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue

from admin.auditlog import events, export, present
from admin.auditlog.filters import ENTRY_ID, FIELDS, RESULTS, AuditFilter, Reading, read
from admin.auditlog.query import AuditQuery, entry_time
from admin.console.blueprint import bp
from admin.console.guard import audit_staff, requires
from admin.console.render import page
from admin.staff.roles import Permission
from admin.wiring import services
from auth.stores.audit_chain import digest

CURSOR_PROBLEM = "This page link is broken (it names no entry)."


def _query() -> AuditQuery:
    graph = services()
    return AuditQuery(graph.auth.audit, graph.zone)


def _problems(reading: Reading) -> dict[str, list[str]]:
    """Each field's problem, as the form macros show them; a broken cursor is the page's."""
    grouped = {name: [message] for name, message in reading.problems.items() if name in FIELDS}
    if any(name not in FIELDS for name in reading.problems):
        grouped[""] = [CURSOR_PROBLEM]
    return grouped


def _link(chosen: AuditFilter, endpoint: str = "console.audit", **cursor: str) -> str:
    args = {**chosen.args(), **cursor}
    return url_for(endpoint) + (f"?{urlencode(args)}" if args else "")


def _list(reading: Reading, status: int = 200) -> ResponseReturnValue:
    """The filters form and, when they can be used, the table."""
    query = _query()
    zone = services().zone
    result = None
    if reading.ok:
        result = query.page(reading.filter, before=reading.before, after=reading.after)
    rows = [present.row(entry, zone) for entry in result.entries] if result else []
    values = {name: request.args.get(name, "").strip() for name in FIELDS}
    searched_to = entry_time(result.older, zone) if result is not None and result.partial else None
    return page(
        "admin/audit/list.html",
        400 if not reading.ok else status,
        values=values,
        problems=_problems(reading),
        event_groups=events.choices(query.present_events(), values["event"]),
        results=sorted({*RESULTS, values["result"]} - {""}),
        rows=rows,
        result=result,
        zone=zone.key,
        paged=bool(reading.before or reading.after),
        filtered=bool(reading.filter.args()),
        newest_link=_link(reading.filter),
        older_link=_link(reading.filter, before=result.older) if result and result.older else "",
        newer_link=_link(reading.filter, after=result.newer) if result and result.newer else "",
        export_link=_link(reading.filter, "console.audit_export"),
        searched_to=searched_to,
    )


@bp.get("/audit")
@requires(Permission.READ_AUDIT)
def audit() -> ResponseReturnValue:
    return _list(read(request.args))


@bp.get("/audit/export")
@requires(Permission.READ_AUDIT)
def audit_export() -> ResponseReturnValue:
    """Everything the filters match, as CSV, streamed; the export is audited first."""
    reading = read(request.args)  # a cursor is ignored: an export is never of one page
    if not reading.ok:
        return _list(reading)
    chosen, graph = reading.filter, services()
    audit_staff("audit.export", reason=chosen.describe())
    lines = export.lines(_query().matching(chosen), graph.zone)
    stamp = graph.clock().astimezone(graph.zone).strftime("%Y%m%d-%H%M%S")
    # A byte-order mark first, so spreadsheets read the masked numbers' bullets as UTF-8.
    body = stream_with_context(_with_bom(lines))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _with_bom(lines: Iterable[str]) -> Iterator[str]:
    yield "\ufeff"
    yield from lines


@bp.get("/audit/<entry_id>")
@requires(Permission.READ_AUDIT)
def audit_entry(entry_id: str) -> ResponseReturnValue:
    """One entry: every field, where it sits in the chain, and whether its links hold."""
    if not ENTRY_ID.fullmatch(entry_id):
        abort(404)
    query = _query()
    entry = query.get(entry_id)
    if entry is None:
        abort(404)
    older_id, newer_id = query.neighbours(entry_id)
    older = query.get(older_id) if older_id else None
    anchor = services().auth.audit.anchor()
    expected_prev = older.fields.get("digest", "") if older else anchor.digest
    fields = entry.fields
    return page(
        "admin/audit/entry.html",
        row=present.row(entry, services().zone),
        fields=present.ordered(fields),
        zone=services().zone.key,
        older_id=older_id,
        newer_id=newer_id,
        digest_ok=fields.get("digest") == digest(fields),
        prev_ok=fields.get("prev") == expected_prev,
        after_anchor=not older and bool(anchor.entry_id),
    )


@bp.post("/audit/verify")
@requires(Permission.READ_AUDIT)
def audit_verify() -> ResponseReturnValue:
    """Walk the whole chain from its anchor and show the verdict (audited, by id only)."""
    audit_log = services().auth.audit
    anchor = audit_log.anchor()
    verdict = audit_log.verify()
    if verdict.ok:
        audit_staff("audit.verify", result="intact", reason=f"{verdict.verified} entries")
    else:
        audit_staff(
            "audit.verify",
            result="broken",
            reason=f"entry {verdict.broken_at}: {verdict.problem}",
        )
    broken_time: datetime | None = None
    if verdict.broken_at:
        broken_time = entry_time(verdict.broken_at, services().zone)
    return page(
        "admin/audit/verify.html",
        verdict=verdict,
        anchor=anchor,
        broken_time=broken_time,
        zone=services().zone.key,
    )
