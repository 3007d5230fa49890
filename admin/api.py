"""The admin JSON API (DESIGN.md, HTTP: ``/admin/api/v1``): MFA scenarios and the MFA
configuration, for staff tools now and the staff console later.

Staff list, filter and search scenarios, create, edit, activate, deactivate and delete them, ask
which challenge fires for an action and amount (the dry-run), and read or replace the bank-wide
MFA configuration. Views only parse → call → render: every rule lives in ``auth.scenarios``,
which also audits each change with who, when, before and after.

Guard (fails closed): ``Authorization: Bearer $ADMIN_API_KEY``, compared in constant time, then
an ``X-Admin-User`` header naming the staff member, who becomes the change's author and the
audit actor. The staff-console issue replaces the shared key with staff accounts and roles.

Every error is JSON ``{"error": "...", "problems": [...]}``: 400 for a request that can't be
read (not a JSON object, a bad query parameter, a bad ``X-Admin-User``), 401 without the key,
404 for an unknown scenario, 422 for a readable request that breaks a rule (every problem
listed, each starting with its field), 503 while Redis is down. Nothing is cached.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from admin.inputs import Malformed, dry_run_input, list_filters
from admin.wiring import services
from auth.scenarios.codec import config_to_dict, scenario_to_dict
from auth.scenarios.model import Status
from auth.scenarios.service import ScenarioService
from auth.scenarios.store import NotFound
from auth.scenarios.validate import Invalid

log = logging.getLogger(__name__)

bp = Blueprint("admin_api", __name__, url_prefix="/admin/api/v1")
PREFIX = "/admin/api/v1/"
# Who made a change, as it appears in created_by/updated_by and the audit stream.
STAFF = re.compile(r"[A-Za-z0-9._@-]{1,64}")
STAFF_RULE = "1-64 letters, digits, '.', '_', '-' or '@'"


def _error(status: int, message: str, problems: Iterable[str] = ()) -> Response:
    response = jsonify(error=message, problems=list(problems))
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="teller-admin"'
    return response


def _ok(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def _service() -> ScenarioService:
    return services().scenarios


def _authorised() -> bool:
    """Fails closed: no key configured, no bearer token, or a different one → False."""
    expected = services().config.admin_api_key
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or not expected:
        return False
    return hmac.compare_digest(token.encode(), expected.encode())


def _body() -> dict[str, Any]:
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Malformed(["body: must be a JSON object (Content-Type: application/json)"])
    return body


@bp.before_request
def _guard() -> Response | None:
    if not _authorised():
        return _error(401, "missing or wrong API key: send Authorization: Bearer <ADMIN_API_KEY>")
    staff = request.headers.get("X-Admin-User", "")
    if not STAFF.fullmatch(staff):
        problem = f"X-Admin-User: required, the staff member making the request ({STAFF_RULE})"
        return _error(400, "the request could not be read", [problem])
    g.admin_user = staff
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


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Response:
    return _error(404, f"no scenario with id {exc.args[0]!r}")


@bp.errorhandler(RedisError)
def _redis_down(exc: RedisError) -> Response:
    return _error(503, "MFA settings are temporarily unavailable; try again shortly")


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
    """Unknown paths and methods under the API answer JSON too; elsewhere, Flask's default."""
    if not request.path.startswith(PREFIX):
        return exc
    response = _error(exc.code or 404, exc.description or exc.name)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


# --- scenarios ---


@bp.get("/scenarios")
def list_scenarios() -> Response:
    application, status, search = list_filters(request.args)
    found = _service().find(application, status, search)
    return _ok({"scenarios": [scenario_to_dict(s) for s in found], "count": len(found)})


@bp.get("/scenarios/<scenario_id>")
def get_scenario(scenario_id: str) -> Response:
    return _ok(scenario_to_dict(_service().get(scenario_id)))


@bp.post("/scenarios")
def create_scenario() -> Response:
    scenario = _service().create(_body(), by=g.admin_user)
    response = _ok(scenario_to_dict(scenario), 201)
    response.headers["Location"] = url_for(".get_scenario", scenario_id=scenario.scenario_id)
    return response


@bp.patch("/scenarios/<scenario_id>")
def update_scenario(scenario_id: str) -> Response:
    return _ok(scenario_to_dict(_service().update(scenario_id, _body(), by=g.admin_user)))


@bp.post("/scenarios/<scenario_id>/activate")
def activate_scenario(scenario_id: str) -> Response:
    return _ok(scenario_to_dict(_service().set_status(scenario_id, Status.ACTIVE, g.admin_user)))


@bp.post("/scenarios/<scenario_id>/deactivate")
def deactivate_scenario(scenario_id: str) -> Response:
    scenario = _service().set_status(scenario_id, Status.INACTIVE, g.admin_user)
    return _ok(scenario_to_dict(scenario))


@bp.delete("/scenarios/<scenario_id>")
def delete_scenario(scenario_id: str) -> Response:
    return _ok(scenario_to_dict(_service().delete(scenario_id, g.admin_user)))


@bp.post("/scenarios/dry-run")
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
    return _ok(config_to_dict(_service().config()))


@bp.put("/mfa-config")
def put_config() -> Response:
    return _ok(config_to_dict(_service().put_config(_body(), g.admin_user)))
