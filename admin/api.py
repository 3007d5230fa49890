"""The admin JSON API (DESIGN.md, HTTP: ``/admin/api/v1``): MFA scenarios and the MFA
configuration, for staff scripts and automation (the console's pages are ``admin.console``).

Staff list, filter and search scenarios, create, edit, activate, deactivate and delete them, ask
which challenge fires for an action and amount (the dry-run), and read or replace the bank-wide
MFA configuration. Views only parse → call → render: every rule lives in ``auth.scenarios``,
which also audits each change with who, when, before and after.

Guard (fails closed, ``admin.api_guard``): ``Authorization: Bearer <token>``. A staff member's
personal token (``tlr_…``, created under *API tokens* in the console) makes its owner the caller:
their username is the author and audit actor of every change, and their role *now* decides —
reads and the dry-run need ``read_config``, every change ``edit_config`` (else 403, naming the
role and what it needs). A revoked or unknown token, or one whose owner is disabled, is a 401.
The shared ``$ADMIN_API_KEY`` is for automation: it needs an ``X-Admin-User`` header, and its
changes are authored and audited as ``automation:<X-Admin-User>``, so they can be told from a
person's.

Versions (optimistic concurrency): a scenario and the MFA configuration carry a ``version``
(in the JSON, and as the strong ``ETag`` ``"v<version>"`` of every answer that returns one).
Every update — ``PATCH`` a scenario, ``activate``, ``deactivate``, ``DELETE``, ``PUT`` the
configuration — must send ``If-Match`` with the ETag it read. Without it: **428**, with the
current resource in ``current``; with an older one: **409** ``{"error", "problems": [],
"current": ...}`` and nothing changed (the check and the write are one Redis transaction, so of
two staff editing from the same read exactly one wins). A ``version`` echoed in a body is
dropped, after checking it agrees with ``If-Match``. ``PATCH`` never changes ``status`` (422:
use ``/activate`` or ``/deactivate``).

Every error is JSON ``{"error": "...", "problems": [...]}``: 400 for a request that can't be
read (not a JSON object, a bad query parameter, a bad ``X-Admin-User`` or ``If-Match``), 401
without a valid key or token, 403 for a role without the permission, 404 for an unknown
scenario, 409 for a stale version, 422 for a readable request that breaks a rule (every problem
listed, each starting with its field), 428 without ``If-Match``, 503 while Redis is down.
Nothing is cached.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

from flask import Blueprint, Response, current_app, g, jsonify, make_response, request, url_for
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from admin.api_guard import Refused, authorise, identify, needed, needs
from admin.approvals.changes import Outdated, Submitted, submit
from admin.approvals.store import change_to_dict
from admin.console import not_found_page
from admin.inputs import (
    Malformed,
    PreconditionMissing,
    dry_run_input,
    etag,
    list_filters,
    precondition,
)
from admin.staff.roles import Permission
from admin.wiring import services
from auth.json_body import json_body
from auth.pages.protection import SECURITY_HEADERS
from auth.scenarios.codec import config_to_dict, scenario_to_dict
from auth.scenarios.model import MfaConfig, Scenario
from auth.scenarios.service import ScenarioService
from auth.scenarios.store import NotFound, Stale
from auth.scenarios.validate import Invalid
from bank.ports import BankUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("admin_api", __name__, url_prefix="/admin/api/v1")
PREFIX = "/admin/api/v1/"


def _error(status: int, message: str, problems: Iterable[str] = (), **extra: Any) -> Response:
    response = jsonify(error=message, problems=list(problems), **extra)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="teller-admin"'
    return response


def _ok(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def _scenario(scenario: Scenario, status: int = 200) -> Response:
    response = _ok(scenario_to_dict(scenario), status)
    response.headers["ETag"] = etag(scenario.version)
    return response


def _config(config: MfaConfig, version: int) -> Response:
    response = _ok({**config_to_dict(config), "version": version})
    response.headers["ETag"] = etag(version)
    return response


def _current(current: Scenario | MfaConfig, version: int) -> dict[str, Any]:
    if isinstance(current, Scenario):
        return scenario_to_dict(current)
    return {**config_to_dict(current), "version": version}


def _if_match(body: dict[str, Any] | None = None) -> int:
    """The version the update was made from (``If-Match``); a ``version`` in ``body`` is checked
    against it and dropped."""
    version = precondition(request.headers.get("If-Match"), body)
    if body is not None:
        body.pop("version", None)
    return version


def _service() -> ScenarioService:
    return services().scenarios


def _body() -> dict[str, Any]:
    body: Any = json_body()
    if not isinstance(body, dict):
        raise Malformed(["body: must be a JSON object (Content-Type: application/json)"])
    return body


@bp.before_request
def _guard() -> Response | None:
    """Who calls (g.admin_user: the author and audit actor) and whether their role may."""
    graph = services()
    try:
        caller = identify(
            request.headers.get("Authorization", ""),
            request.headers.get("X-Admin-User", ""),
            graph.config.admin_api_key,
            graph.tokens,
        )
    except Refused as exc:
        return _error(exc.status, exc.message, exc.problems)
    view = current_app.view_functions.get(request.endpoint or "")
    try:
        authorise(caller, needed(view, request.method))
    except Refused as exc:
        log.info("admin api: %s refused %s %s", caller.actor, request.method, request.path)
        return _error(exc.status, exc.message, exc.problems)
    g.admin_user = caller.actor
    g.admin_caller = caller
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(Malformed)
def _malformed(exc: Malformed) -> Response:
    return _error(400, "the request could not be read", exc.problems)


@bp.errorhandler(Invalid)
def _invalid(exc: Invalid) -> Response:
    return _error(422, "refused: fix every problem listed and send again", exc.problems)


@bp.errorhandler(Stale)
@bp.errorhandler(Outdated)  # a change proposed (four eyes) from an older version
def _stale(exc: Stale | Outdated) -> Response:
    message = (
        f"changed since you read it: version {exc.version} is current (in 'current');"
        " redo your change on it and send its ETag in If-Match"
    )
    current = exc.current if isinstance(exc, Outdated) else _current(exc.current, exc.version)
    response = _error(409, message, current=current)
    response.headers["ETag"] = etag(exc.version)
    return response


@bp.errorhandler(PreconditionMissing)
def _no_precondition(exc: PreconditionMissing) -> Response:
    message = 'If-Match required: the ETag of the version you read (GET it), such as "v3"'
    return _error(428, message)


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Response:
    return _error(404, f"no scenario with id {exc.args[0]!r}")


@bp.errorhandler(RedisError)
def _redis_down(exc: RedisError) -> Response:
    return _error(503, "MFA settings are temporarily unavailable; try again shortly")


@bp.errorhandler(BankUnavailable)
def _bank_busy(exc: BankUnavailable) -> Response:
    log.error("admin api: the bank is unavailable (%s)", exc)
    response = _error(
        503, "the bank is temporarily unavailable; nothing was changed: try again in a minute"
    )
    response.headers["Retry-After"] = "60"
    return response


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    return _error(exc.code or 500, exc.description or exc.name)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.exception("admin api: %s %s failed", request.method, request.path)
    return _error(500, "internal error; nothing more is shown here (see the server log)")


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _outside_routes(exc: HTTPException) -> Response | HTTPException:
    """Unknown paths and methods under the API answer JSON too; elsewhere under /admin, the
    console's own page; elsewhere, Flask's default."""
    if request.path.startswith("/admin/") and not request.path.startswith(PREFIX):
        page = make_response(not_found_page())
        page.headers.update(SECURITY_HEADERS)  # outside the console's routes: set here
        return page
    if not request.path.startswith(PREFIX):
        return exc
    response = _error(exc.code or 404, exc.description or exc.name)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _submit(kind: str, target: str, after: dict[str, Any], version: int | None) -> Submitted:
    """Every change goes through four eyes (``admin.approvals``): applied now, or pending
    (``X-Change-Reason``: why, for the approver)."""
    reason = request.headers.get("X-Change-Reason", "")
    return submit(
        services().changes, kind, target, after, version, g.admin_user, reason, channel="api"
    )


def _changed(done: Submitted, status: int = 200) -> Response:
    """The scenario as the change left it, or 202 ``{"pending": change}``: stored for a second
    admin's approval (``ADMIN_FOUR_EYES``), nothing changed yet."""
    if done.pending is not None:
        return _ok({"pending": change_to_dict(done.pending)}, 202)
    assert isinstance(done.result, Scenario)
    return _scenario(done.result, status)


# --- scenarios ---


@bp.get("/scenarios")
def list_scenarios() -> Response:
    application, status, search = list_filters(request.args)
    found = _service().find(application, status, search)
    return _ok({"scenarios": [scenario_to_dict(s) for s in found], "count": len(found)})


@bp.get("/scenarios/<scenario_id>")
def get_scenario(scenario_id: str) -> Response:
    return _scenario(_service().get(scenario_id))


@bp.post("/scenarios")
def create_scenario() -> Response:
    done = _submit("scenario.create", "", _body(), None)
    response = _changed(done, 201)
    if isinstance(done.result, Scenario):
        response.headers["Location"] = url_for(".get_scenario", scenario_id=done.result.scenario_id)
    return response


@bp.patch("/scenarios/<scenario_id>")
def update_scenario(scenario_id: str) -> Response:
    body = _body()
    version = _if_match(body)
    return _changed(_submit("scenario.update", scenario_id, body, version))


@bp.post("/scenarios/<scenario_id>/activate")
def activate_scenario(scenario_id: str) -> Response:
    version = _if_match()
    return _changed(_submit("scenario.activate", scenario_id, {"status": "active"}, version))


@bp.post("/scenarios/<scenario_id>/deactivate")
def deactivate_scenario(scenario_id: str) -> Response:
    after = {"status": "inactive"}
    return _changed(_submit("scenario.deactivate", scenario_id, after, _if_match()))


@bp.delete("/scenarios/<scenario_id>")
def delete_scenario(scenario_id: str) -> Response:
    response = _changed(_submit("scenario.delete", scenario_id, {}, _if_match()))
    response.headers.pop("ETag", None)  # the scenario is gone: no version to send back
    return response


@bp.post("/scenarios/dry-run")
@needs(Permission.READ_CONFIG)  # a question, not a change
def dry_run() -> Response:
    application, action, amount, enrolled = dry_run_input(_body())
    decision = _service().dry_run(application, action, amount, enrolled)
    scenario = decision.scenario
    return _ok(
        {
            "required": decision.required,
            "challenge": decision.challenge.value if decision.challenge else None,
            "options": [t.value for t in decision.options],
            "unavailable": decision.unavailable,
            "scenario": {"id": scenario.scenario_id, "description": scenario.spec.description}
            if scenario
            else None,
            "reason": decision.reason,
        }
    )


# --- the MFA configuration ---


@bp.get("/mfa-config")
def get_config() -> Response:
    return _config(*_service().config_versioned())


@bp.put("/mfa-config")
def put_config() -> Response:
    body = _body()
    done = _submit("mfa_config.put", "", body, _if_match(body))
    if done.pending is not None:
        return _ok({"pending": change_to_dict(done.pending)}, 202)
    config, version = cast(tuple[MfaConfig, int], done.result)
    return _config(config, version)
