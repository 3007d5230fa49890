"""The console's four-eyes screens (admins only, ``Permission.APPROVE``): the pending changes,
oldest first, each with its author, reason, field-by-field diff and impact (the last 30 days
replayed); one change on its own page, decided ones too; approve and reject (POST, CSRF). A
change's own author sees approve refused with the reason, and may withdraw it instead.

Views parse → call → render: the rules (who may decide, the atomic claim, the re-check, a
change overtaken meanwhile) are ``admin.approvals.changes``'s, which audits every decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from admin.approvals.changes import NotPending, Refused
from admin.approvals.diff import DiffLine
from admin.approvals.kinds import Impact
from admin.approvals.outcomes import person
from admin.approvals.store import NoSuchChange, PendingChange
from admin.console.blueprint import bp
from admin.console.guard import current_staff, requires
from admin.console.render import COUNTERS, by_field, page
from admin.staff.accounts import StaffUser
from admin.staff.roles import Permission
from admin.wiring import services
from auth.scenarios.model import ACTIONS
from auth.scenarios.validate import Invalid

PATH = "/admin/approvals"
# What each kind of change is called on screen (a kind not named here shows as itself).
KIND_LABELS = {
    "scenario.create": "Create scenario",
    "scenario.update": "Edit scenario",
    "scenario.activate": "Activate scenario",
    "scenario.deactivate": "Deactivate scenario",
    "scenario.delete": "Delete scenario",
    "mfa_config.put": "Change the MFA configuration",
    "kyc_level.put": "Change a KYC level",
    "kyc_settings.put": "Change the cooling-off after registering",
    "customer.kyc_level": "Change a customer's KYC level",
}
STATUS_TEXT = {
    "pending": "waiting for approval",
    "deciding": "being decided right now",
    "approved": "approved and applied",
    "rejected": "rejected",
    "superseded": "superseded: not applied",
}


@dataclass(frozen=True)
class ChangeView:
    """A change as its page shows it."""

    change: PendingChange
    label: str
    target: str
    target_url: str
    diff: list[DiffLine]
    impact: Impact | None
    refusal: str  # why this staff member may not approve it ("" when they may)
    own: bool

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.change.status.value, self.change.status.value)


def _target(change: PendingChange) -> tuple[str, str]:
    """The target as staff name it, and where it is shown ("" when nowhere)."""
    if change.kind.startswith("mfa_config."):
        return "MFA configuration", "/admin/mfa-config"
    value: dict[str, Any] = change.before or change.after
    description = value.get("description", "")
    if change.kind.startswith("scenario."):
        if not change.target:
            return f"{description} (new)", ""
        shown = f"{description} ({change.target})" if description else change.target
        gone = change.kind == "scenario.delete" and not change.pending
        return shown, "" if gone else f"/admin/scenarios/{change.target}"
    if change.kind == "kyc_level.put":
        return f"KYC level {change.target}", f"/admin/kyc#level-{change.target}"
    if change.kind == "kyc_settings.put":
        return "Cooling-off after registering", "/admin/kyc#cooling"
    if change.kind == "customer.kyc_level":
        return f"Customer {change.target}", f"/admin/customers/{change.target}"
    return change.target or "—", ""


def _view(change: PendingChange, user: StaffUser) -> ChangeView:
    changes = services().changes
    target, url = _target(change)
    author = person(change.author)
    replayable = change.pending and change.kind in changes.registry
    return ChangeView(
        change=change,
        label=KIND_LABELS.get(change.kind, change.kind),
        target=target,
        target_url=url,
        diff=changes.diff(change),
        impact=changes.impact(change) if replayable else change.impact,
        refusal=changes.refusal(change, user),
        own=author == person(user.username),
    )


def _when(at: datetime | None) -> str:
    """A time in the bank's zone, as staff read it."""
    if at is None:
        return ""
    return at.astimezone(services().zone).strftime("%Y-%m-%d %H:%M")


def _feature(action: str) -> str:
    found = ACTIONS.get(action)
    return found.feature if found else ""


def _load(change_id: str) -> PendingChange:
    try:
        return services().changes.get(change_id)
    except NoSuchChange:
        raise NotFound() from None


def _change_page(
    change: PendingChange, status: int = 200, **context: object
) -> ResponseReturnValue:
    user = current_staff()
    return page(
        "admin/approval.html",
        status,
        item=_view(change, user),
        when=_when,
        feature=_feature,
        problems=context.pop("problems", {}),
        **context,
    )


@bp.get("/approvals")
@requires(Permission.APPROVE)
def approvals() -> ResponseReturnValue:
    user = current_staff()
    changes = services().changes
    return page(
        "admin/approvals.html",
        items=[_view(change, user) for change in changes.pending()],
        decided=[_view(change, user) for change in changes.decided(20)],
        four_eyes=changes.four_eyes,
        when=_when,
        feature=_feature,
        problems={},
    )


@bp.get("/approvals/<change_id>")
@requires(Permission.APPROVE)
def approval(change_id: str) -> ResponseReturnValue:
    return _change_page(_load(change_id))


@bp.post("/approvals/<change_id>/approve")
@requires(Permission.APPROVE)
def approve(change_id: str) -> ResponseReturnValue:
    change = _load(change_id)
    try:
        decided = services().changes.approve(change_id, current_staff())
    except Refused as exc:
        return _change_page(change, 403, problem=exc.reason)
    except NotPending as exc:
        return _change_page(exc.change, 409, problem=_already(exc.change))
    except Invalid as exc:
        problem = (
            "This change can't be applied as it stands now: "
            + "; ".join(exc.problems)
            + ". Nothing was changed: reject it with a note so it can be proposed again."
        )
        return _change_page(change, 422, problem=problem)
    if decided.applied:
        flash("Approved: the change is in force now.", "ok")
    else:
        flash(decided.reason[:1].upper() + decided.reason[1:], "warning")
    return redirect(url_for("console.approval", change_id=change_id))


@bp.post("/approvals/<change_id>/reject")
@requires(Permission.APPROVE)
def reject(change_id: str) -> ResponseReturnValue:
    change = _load(change_id)
    note = request.form.get("note", "")
    if not note.strip():
        problems = {"note": ["required: say why, for whoever proposed it"]}
        return _change_page(change, 422, problems=problems, note=note)
    try:
        services().changes.reject(change_id, current_staff(), note)
    except Refused as exc:
        return _change_page(change, 403, problem=exc.reason)
    except NotPending as exc:
        return _change_page(exc.change, 409, problem=_already(exc.change))
    except Invalid as exc:
        return _change_page(change, 422, problems=by_field(exc.problems, ["note"]), note=note)
    own = person(change.author) == person(current_staff().username)
    flash("Withdrawn: nothing was changed." if own else "Rejected: nothing was changed.", "ok")
    return redirect(url_for("console.approval", change_id=change_id))


def _already(change: PendingChange) -> str:
    who = f" by {change.decided_by}" if change.decided_by else ""
    return (
        f"This change was already decided{who}: it is {STATUS_TEXT[change.status.value]}. "
        "Nothing more was done."
    )


def _pending_count() -> int:
    return services().changes.pending_count()


COUNTERS[PATH] = _pending_count
