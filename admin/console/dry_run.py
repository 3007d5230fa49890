""" "Which challenge would fire?": an application, an action, an amount and the factors a
customer has set up → the decision the chat would make now (required or not, the challenge,
the options in order, the scenario that decided — linked — and the reason). A read: a GET form
anyone who may read the configuration can use, and whose address can be shared.
"""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from admin.console.blueprint import bp
from admin.console.guard import requires
from admin.console.render import by_field
from admin.console.scenario_forms import (
    DRY_RUN_FIELDS,
    asked,
    dry_run_question,
    dry_run_values,
    for_people,
)
from admin.console.scenario_labels import action_groups, applications, options
from admin.console.scenarios import scenario_page
from admin.staff.roles import Permission
from admin.wiring import services
from auth.scenarios.evaluate import Decision
from auth.scenarios.model import ChallengeType
from auth.scenarios.validate import Invalid


@bp.get("/scenarios/dry-run")
@requires(Permission.READ_CONFIG)
def scenario_dry_run() -> ResponseReturnValue:
    decision: Decision | None = None
    problems: list[str] = []
    if asked(request.args):
        try:
            question = dry_run_question(request.args)
        except Invalid as exc:
            problems = exc.problems
        else:
            decision = services().scenarios.dry_run(
                question.application, question.action, question.amount, question.enrolled
            )
    return scenario_page(
        "admin/scenarios/dry_run.html",
        400 if problems else 200,
        decision=decision,
        values=dry_run_values(request.args),
        problems=by_field(for_people(problems), DRY_RUN_FIELDS),
        application_options=applications(),
        action_groups=action_groups(),
        challenge_options=options(ChallengeType),
        enabled=services().scenarios.config().enabled_types,
    )
