"""*Security & Authentication > MFA Scenarios*: the list (filter by application and status,
search by action or description, each row's menu), a scenario's detail, and the changes made
from them — activate, deactivate, and delete after a confirmation page. Creating and editing
are ``scenario_edit``; every change goes through ``scenario_changes.staff_change``.

Reading needs ``READ_CONFIG`` (viewers); every change and the pages that lead to one need
``EDIT_CONFIG`` (admins). A change carries the version the staff member read: one made from an
older version is refused with what is stored now (409), and nothing changes.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.console.blueprint import bp
from admin.console.guard import requires, safe_next
from admin.console.render import by_field, page
from admin.console.scenario_changes import Changed, Conflict, staff_change
from admin.console.scenario_forms import FILTER_FIELDS, list_filters, read_version
from admin.console.scenario_labels import applications, feature, label, options
from admin.staff.roles import Permission
from admin.wiring import services
from auth.scenarios.model import ChallengeType, Scenario, Status
from auth.scenarios.store import NotFound as NoScenario
from auth.scenarios.validate import Invalid

LIST = "/admin/scenarios"
NO_VERSION = (
    "This form didn't say which version of the scenario you read, so nothing was changed."
    " Open the scenario again and redo the change."
)


def when(at: datetime | None) -> str:
    """A time as staff read it: the bank's own clock, with its zone."""
    if at is None:
        return ""
    return at.astimezone(services().zone).strftime("%Y-%m-%d %H:%M %Z")


def scenario_page(template: str, status: int = 200, **context: object) -> ResponseReturnValue:
    """A scenario page: the console's context plus the words for stored values."""
    return page(
        template,
        status,
        label=label,
        feature=feature,
        when=when,
        currency=services().currency,
        **context,
    )


def scenario_or_404(scenario_id: str) -> Scenario:
    try:
        return services().scenarios.get(scenario_id)
    except NoScenario:
        abort(404)


def back_to_list() -> str:
    """Where a change made from the list goes back to: the list as it was filtered."""
    target = request.form.get("back", "")
    return safe_next(target) if target.startswith(LIST) else url_for("console.scenario_list")


def announce(changed: Changed, done: str) -> None:
    """Say what a change did: done now, or waiting for another admin's approval."""
    if changed.applied:
        flash(done, "ok")
    else:
        flash(
            "Sent for approval: it takes effect once another admin approves it"
            " (Governance > Approvals).",
            "warning",
        )


def dry_run_link(scenario: Scenario) -> str:
    return url_for(
        "console.scenario_dry_run",
        application=scenario.spec.application.value,
        action=scenario.spec.action,
        amount="",
        enrolled=[t.value for t in ChallengeType],
    )


@bp.get("/scenarios")
@requires(Permission.READ_CONFIG)
def scenario_list() -> ResponseReturnValue:
    filters, problems = list_filters(request.args)
    service = services().scenarios
    found = service.find(filters.application, filters.status, filters.search)
    return scenario_page(
        "admin/scenarios/list.html",
        400 if problems else 200,
        scenarios=found,
        total=len(service.find()) if filters.narrowed else len(found),
        filters=filters,
        values={k: request.args.get(k, "") for k in FILTER_FIELDS},
        problems=by_field(problems, FILTER_FIELDS),
        application_options=applications(),
        status_options=options(Status),
        here=request.full_path.rstrip("?"),
    )


@bp.get("/scenarios/<scenario_id>")
@requires(Permission.READ_CONFIG)
def scenario_detail(scenario_id: str) -> ResponseReturnValue:
    scenario = scenario_or_404(scenario_id)
    return scenario_page(
        "admin/scenarios/detail.html", scenario=scenario, dry_run=dry_run_link(scenario)
    )


def _conflict(exc: Conflict, what: str) -> ResponseReturnValue:
    current = exc.current
    assert isinstance(current, Scenario)
    return scenario_page("admin/scenarios/conflict.html", 409, scenario=current, what=what)


def _set_status(scenario_id: str, status: Status) -> ResponseReturnValue:
    scenario = scenario_or_404(scenario_id)
    version = read_version(request.form)
    what = "activate" if status is Status.ACTIVE else "deactivate"
    if version is None:
        flash(NO_VERSION, "error")
        return redirect(url_for("console.scenario_detail", scenario_id=scenario_id), 303)
    try:
        changed = staff_change(f"scenario.{what}", scenario_id, {}, version)
    except NoScenario:
        abort(404)
    except Conflict as exc:
        return _conflict(exc, what)
    except Invalid as exc:
        for problem in exc.problems:
            flash(f"Not changed: {problem}", "error")
        return redirect(back_to_list(), 303)
    done = "Activated" if status is Status.ACTIVE else "Deactivated"
    announce(changed, f"{done}: {scenario.spec.description} ({scenario.spec.action}).")
    return redirect(back_to_list(), 303)


@bp.post("/scenarios/<scenario_id>/activate")
@requires(Permission.EDIT_CONFIG)
def scenario_activate(scenario_id: str) -> ResponseReturnValue:
    return _set_status(scenario_id, Status.ACTIVE)


@bp.post("/scenarios/<scenario_id>/deactivate")
@requires(Permission.EDIT_CONFIG)
def scenario_deactivate(scenario_id: str) -> ResponseReturnValue:
    return _set_status(scenario_id, Status.INACTIVE)


@bp.route("/scenarios/<scenario_id>/delete", methods=["GET", "POST"])
@requires(Permission.EDIT_CONFIG)
def scenario_delete(scenario_id: str) -> ResponseReturnValue:
    """GET: the confirmation page (the scenario's summary); POST: delete it."""
    scenario = scenario_or_404(scenario_id)
    if request.method == "GET":
        back = request.args.get("back", "")
        return scenario_page(
            "admin/scenarios/delete.html",
            scenario=scenario,
            back=back if back.startswith(LIST) else LIST,
        )
    version = read_version(request.form)
    if version is None:
        flash(NO_VERSION, "error")
        return redirect(url_for("console.scenario_detail", scenario_id=scenario_id), 303)
    try:
        changed = staff_change("scenario.delete", scenario_id, {}, version)
    except NoScenario:
        abort(404)
    except Conflict as exc:
        return _conflict(exc, "delete")
    announce(changed, f"Deleted: {scenario.spec.description} ({scenario.spec.action}).")
    return redirect(back_to_list(), 303)
