"""*Create Scenario* and *Edit*: every field of the admin guide's form, each problem beside its
field and the values typed kept (nothing saved on a problem, on *Preview* or on *Cancel*), the
SMS and email templates with their variable reference and a preview with sample values (live
through ``static/admin_preview.js`` and the JSON preview endpoint here; server-side with the
*Preview* button when there is no script).

An edit carries the version it was read at in a hidden field: saved from an older version, it
is refused (409) and the form comes back with what is stored now, who changed it and when, and
the values this staff member had typed where they differ, so they can redo their change on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.console.blueprint import bp
from admin.console.guard import requires
from admin.console.render import by_field
from admin.console.scenario_changes import Conflict, staff_change
from admin.console.scenario_forms import (
    TEMPLATE_FIELDS,
    Preview,
    for_people,
    preview,
    read_version,
    scenario_data,
    scenario_values,
    translation_groups,
    typed_values,
)
from admin.console.scenario_labels import (
    FIELD_LABELS,
    VARIABLE_LABELS,
    action_groups,
    applications,
    label,
    options,
)
from admin.console.scenarios import announce, scenario_or_404, scenario_page
from admin.staff.roles import Permission
from admin.wiring import services
from auth.scenarios.model import (
    ActivityType,
    ChallengeType,
    Frequency,
    Scenario,
    ScenarioType,
    Status,
)
from auth.scenarios.seed import default_templates
from auth.scenarios.store import NotFound as NoScenario
from auth.scenarios.validate import SPEC_FIELDS, Invalid

FORM = "admin/scenarios/form.html"


def _previews(values: Mapping[str, str]) -> dict[str, Preview]:
    graph = services()
    at = graph.clock().astimezone(graph.zone)
    return {
        name: preview(name, values.get(name, ""), at, graph.currency) for name in TEMPLATE_FIELDS
    }


def _challenge_options(values: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Each challenge select's choices: the enabled types, and the field's own stored type if it
    is no longer enabled (marked), so the form shows it rather than silently picking another."""
    enabled = services().scenarios.config().enabled_types
    shown = [(t.value, label(t.value)) for t in enabled]
    choices = {}
    for name in ("primary_challenge", "backup_challenge"):
        value = values.get(name, "")
        known = value in {t.value for t in ChallengeType}
        extra = [(value, f"{label(value)} (not enabled)")]
        stale = known and ChallengeType(value) not in enabled
        choices[name] = shown + extra if stale else shown
    return choices


def _form(
    values: Mapping[str, str],
    problems: list[str],
    status: int = 200,
    *,
    scenario: Scenario | None = None,
    version: int | None = None,
    **context: object,
) -> ResponseReturnValue:
    enabled = services().scenarios.config().enabled_types
    return scenario_page(
        FORM,
        status,
        values=values,
        # A template in another language is named in full at the top ("translations.fr.…").
        problems=by_field(for_people(problems), (f for f in SPEC_FIELDS if f != "translations")),
        scenario=scenario,
        version=version,
        previews=_previews(values),
        application_options=applications(),
        type_options=options(ScenarioType),
        action_groups=action_groups(),
        frequency_options=options(Frequency),
        activity_options=options(ActivityType),
        status_options=options(Status),
        challenge_options=_challenge_options(values),
        only_type=enabled[0].value if len(enabled) == 1 else "",
        variables=VARIABLE_LABELS,
        translation_groups=translation_groups(),
        **context,
    )


def _new_values() -> dict[str, str]:
    config = services().scenarios.config()
    sms, email = default_templates(services().bank_name, monetary=True)
    values = dict.fromkeys(SPEC_FIELDS, "")
    backup = config.default_backup.value if config.default_backup else ""
    values.update(
        status=Status.ACTIVE.value,
        primary_challenge=config.default_primary.value,
        backup_challenge=backup if len(config.enabled_types) > 1 else "",
        sms_template=sms,
        email_template=email,
    )
    return values


@bp.route("/scenarios/new", methods=["GET", "POST"])
@requires(Permission.EDIT_CONFIG)
def scenario_new() -> ResponseReturnValue:
    if request.method == "GET":
        return _form(_new_values(), [])
    typed = typed_values(request.form, SPEC_FIELDS)
    if "preview" in request.form:
        return _form(typed, [])
    try:
        changed = staff_change(
            "scenario.create", "", scenario_data(request.form, creating=True), None
        )
    except Invalid as exc:
        return _form(typed, exc.problems, 422)
    if changed.scenario is None:
        announce(changed, "")
        return redirect(url_for("console.scenario_list"), 303)
    announce(changed, f"Created: {changed.scenario.spec.description}.")
    return redirect(
        url_for("console.scenario_detail", scenario_id=changed.scenario.scenario_id), 303
    )


def _theirs_and_yours(current: Scenario, typed: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(field, stored now, typed) for each field where what was typed differs."""
    now = scenario_values(current)
    return [
        (FIELD_LABELS[name], now.get(name, ""), typed.get(name, ""))
        for name in SPEC_FIELDS
        if name != "status" and now.get(name, "").strip() != typed.get(name, "").strip()
    ]


@bp.route("/scenarios/<scenario_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_CONFIG)
def scenario_edit(scenario_id: str) -> ResponseReturnValue:
    scenario = scenario_or_404(scenario_id)
    if request.method == "GET":
        return _form(scenario_values(scenario), [], scenario=scenario, version=scenario.version)
    typed = {**typed_values(request.form, SPEC_FIELDS), "status": scenario.spec.status.value}
    version = read_version(request.form)
    if version is None:
        missing = "version: the form didn't say which version it was read at; nothing was saved"
        values = scenario_values(scenario)
        return _form(values, [missing], 400, scenario=scenario, version=scenario.version)
    if "preview" in request.form:
        return _form(typed, [], scenario=scenario, version=version)
    try:
        changed = staff_change(
            "scenario.update", scenario_id, scenario_data(request.form, creating=False), version
        )
    except NoScenario:
        abort(404)
    except Conflict as exc:
        current = exc.current
        assert isinstance(current, Scenario)
        return _form(
            scenario_values(current),
            [],
            409,
            scenario=current,
            version=current.version,
            conflict=_theirs_and_yours(current, typed),
        )
    except Invalid as exc:
        return _form(typed, exc.problems, 422, scenario=scenario, version=version)
    done = f"Saved: {scenario.spec.description} (version {version + 1})."
    announce(changed, done)
    return redirect(url_for("console.scenario_detail", scenario_id=scenario_id), 303)


@bp.post("/scenarios/preview")
@requires(Permission.EDIT_CONFIG)
def scenario_preview() -> ResponseReturnValue:
    """JSON ``{"field": "sms_template", "template": "..."}`` (with the CSRF header) →
    ``{"text": ..., "problems": [...]}``: the template with sample values."""
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("template"), str):
        problems = ['body: JSON {"field": "sms_template", "template": "..."}']
        return jsonify(text="", problems=problems), 400
    graph = services()
    at = graph.clock().astimezone(graph.zone)
    shown = preview(str(body.get("field", "")), body["template"], at, graph.currency)
    return jsonify(text=shown.text, problems=shown.problems)
