"""Keeping Twilio's content templates in step with the registry (``definitions.registry()``).

Idempotent by friendly_name: the templates on the account are listed once; a definition with
an identical template (same language, variables and types) keeps its SID; a missing one is
created; a changed one is created anew and the old template deleted (Twilio's templates can't
be edited once created). Definitions with an approval category are submitted for WhatsApp
approval once (``ApprovalRequests/whatsapp``); the others are session-only. Each SID and its
approval state is stored in ``whatsapp:content`` (``bot.content.store``).

With the dev outbox instead of Twilio, ``sync_local`` stores stable local SIDs for the same
definitions, so the simulator shows buttons and lists without any Twilio account.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from twilio.rest import Client
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from bot.content.definitions import ContentDefinition
from bot.content.store import ContentStore

# Twilio's approval statuses → the four Teller keeps (paused and disabled templates can't be
# sent either, so they count as rejected).
_APPROVAL = {
    "approved": "approved",
    "rejected": "rejected",
    "paused": "rejected",
    "disabled": "rejected",
    "unsubmitted": "unsubmitted",
}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # changed: a new template, the old deleted
    kept: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)  # approval requested by this run
    approvals: dict[str, str] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)  # stored names no longer defined

    def lines(self) -> list[str]:
        out = [f"{name}: created" for name in self.created]
        out += [f"{name}: changed, replaced" for name in self.replaced]
        out += [f"{name}: unchanged" for name in self.kept]
        out += [f"{name}: submitted for WhatsApp approval" for name in self.submitted]
        out += [f"{name}: no longer defined, forgotten" for name in self.forgotten]
        return out


class _CreateBody:
    """The create request as the definition states it. Twilio's generated request model
    would serialise every content type it knows, the unused ones as null."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = dict(body)

    def to_dict(self) -> dict[str, Any]:
        return self.body


def pruned(value: Any) -> Any:
    """``value`` without null fields (how templates are compared: Twilio echoes nulls)."""
    if isinstance(value, Mapping):
        return {k: pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    return value


def _same(existing: Any, definition: ContentDefinition) -> bool:
    return bool(
        existing.language == definition.language
        and pruned(existing.variables or {}) == pruned(dict(definition.variables))
        and pruned(existing.types or {}) == pruned(definition.to_dict()["types"])
    )


def sync(
    client: Client, store: ContentStore, definitions: Iterable[ContentDefinition]
) -> SyncReport:
    """Create what is missing or changed, submit approvals, store every SID. Twilio's errors
    (TwilioException, requests' RequestException) propagate: what was stored before stays."""
    report = SyncReport()
    existing: dict[str, list[Any]] = {}
    for content in client.content.v1.contents.list():
        existing.setdefault(str(content.friendly_name), []).append(content)
    wanted = list(definitions)
    for definition in wanted:
        name = definition.friendly_name
        found = existing.get(name, [])
        same = next((c for c in found if _same(c, definition)), None)
        if same is not None:
            sid = str(same.sid)
            report.kept.append(name)
        else:
            created = client.content.v1.contents.create(_CreateBody(definition.to_dict()))
            sid = str(created.sid)
            (report.replaced if found else report.created).append(name)
        approval = _approval(client, sid, definition, report)
        report.approvals[name] = approval
        store.save(name, sid, approval)
        for stale in found:  # changed or duplicated: only the stored SID is kept
            if str(stale.sid) != sid:
                client.content.v1.contents(str(stale.sid)).delete()
    report.forgotten = store.keep_only(d.friendly_name for d in wanted)
    return report


def _approval(client: Client, sid: str, definition: ContentDefinition, report: SyncReport) -> str:
    """The template's WhatsApp approval, submitting it once if it needs one and has none."""
    if definition.category is None:
        return "unsubmitted"
    content = client.content.v1.contents(sid)
    fetched = content.approval_fetch().fetch()
    status = str((fetched.whatsapp or {}).get("status") or "unsubmitted")
    if status == "unsubmitted":
        request = ApprovalCreateList.ContentApprovalRequest(
            {"name": definition.friendly_name, "category": definition.category}
        )
        created = content.approval_create.create(request)
        status = str(created.status or "received")
        report.submitted.append(definition.friendly_name)
    return _APPROVAL.get(status, "pending")  # received, pending, in review …


def local_sid(definition: ContentDefinition) -> str:
    """A stable stand-in SID for the dev outbox: it changes when the definition does."""
    canonical = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False)
    return "HX" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def sync_local(store: ContentStore, definitions: Iterable[ContentDefinition]) -> SyncReport:
    """The outbox's stand-in for ``sync``: local SIDs, nothing submitted anywhere."""
    report = SyncReport()
    stored = store.all()
    wanted = list(definitions)
    for definition in wanted:
        name, sid = definition.friendly_name, local_sid(definition)
        previous = stored.get(name)
        if previous is None:
            report.created.append(name)
        elif previous.sid != sid:
            report.replaced.append(name)
        else:
            report.kept.append(name)
        report.approvals[name] = "unsubmitted"
        store.save(name, sid, "unsubmitted")
    report.forgotten = store.keep_only(d.friendly_name for d in wanted)
    return report
