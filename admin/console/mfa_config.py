"""The MFA configuration page: the bank-wide settings every scenario relies on (the challenge
types enabled, code length, expiry and tries, the default challenge for an action with no
active scenario, and what a non-monetary action gets then). Anyone who may read the
configuration sees it; admins edit it in a form with its own validation (the service's rules,
each beside its field) and its own version: saved from an older one, it is refused (409) with
what is stored now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.console.blueprint import bp
from admin.console.guard import allowed, requires
from admin.console.render import by_field
from admin.console.scenario_changes import CONFIG_KIND, Conflict, staff_change
from admin.console.scenario_forms import (
    config_data,
    config_values,
    for_people,
    read_version,
    typed_config,
)
from admin.console.scenario_labels import options
from admin.console.scenarios import announce, scenario_page
from admin.staff.roles import Permission
from admin.wiring import services
from auth.scenarios.config import BOUNDS, CONFIG_FIELDS
from auth.scenarios.model import ChallengeType, DefaultRule, MfaConfig
from auth.scenarios.validate import Invalid

TEMPLATE = "admin/mfa_config.html"


def _page(
    values: Mapping[str, Any],
    version: int,
    problems: list[str],
    status: int = 200,
    **context: object,
) -> ResponseReturnValue:
    config, _ = services().scenarios.config_versioned()
    return scenario_page(
        TEMPLATE,
        status,
        config=config,
        values=values,
        version=version,
        problems=by_field(for_people(problems), CONFIG_FIELDS),
        bounds=BOUNDS,
        type_options=options(ChallengeType),
        rule_options=options(DefaultRule),
        editing=allowed(Permission.EDIT_CONFIG),
        **context,
    )


@bp.get("/mfa-config")
@requires(Permission.READ_CONFIG)
def mfa_config() -> ResponseReturnValue:
    config, version = services().scenarios.config_versioned()
    return _page(config_values(config), version, [])


@bp.post("/mfa-config")
@requires(Permission.EDIT_CONFIG)
def mfa_config_save() -> ResponseReturnValue:
    typed = typed_config(request.form)
    version = read_version(request.form)
    if version is None:
        config, stored = services().scenarios.config_versioned()
        missing = "version: the form didn't say which version it was read at; nothing was saved"
        return _page(config_values(config), stored, [missing], 400)
    try:
        changed = staff_change(CONFIG_KIND, "", config_data(request.form), version)
    except Conflict as exc:
        now = exc.current
        assert isinstance(now, MfaConfig)
        return _page(config_values(now), exc.version, [], 409, conflict=True)
    except Invalid as exc:
        return _page(typed, version, exc.problems, 422)
    announce(changed, f"Saved the MFA configuration (version {changed.config_version}).")
    return redirect(url_for("console.mfa_config"), 303)
