"""The one way the console changes a scenario or the MFA configuration: ``staff_change(kind,
target, after, base_version)``, through four eyes (``admin.approvals.submit``: applied at once,
or held for a second admin's approval). Every page that writes calls it and nothing else.
``change`` is the same for a named actor (no request needed).

Kinds are the pending-change kinds: ``scenario.create``, ``scenario.update``,
``scenario.activate``, ``scenario.deactivate``, ``scenario.delete`` and ``mfa_config.put``.
``after`` is the proposed value as the service takes it (the form's dict; ``{}`` for activate,
deactivate and delete); ``base_version`` the version the staff member read (None only for a
create). The service's own errors pass through: ``Invalid`` (a rule broken, every problem by
field), ``Stale`` (changed since it was read, with what is stored now; ``staff_change`` raises
it as ``Conflict``) and ``NotFound``; each change is audited by the service with ``actor`` as
who made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask import request

from admin.approvals.changes import Changes, submit
from admin.approvals.outcomes import Outdated
from admin.console.guard import current_staff
from admin.wiring import services
from auth.scenarios.model import MfaConfig, Scenario
from auth.scenarios.service import ScenarioService
from auth.scenarios.store import Stale

SCENARIO_KINDS = (
    "scenario.create",
    "scenario.update",
    "scenario.activate",
    "scenario.deactivate",
    "scenario.delete",
)
CONFIG_KIND = "mfa_config.put"
MAX_REASON = 300  # why the change, for the approver (four eyes)
KINDS = (*SCENARIO_KINDS, CONFIG_KIND)


@dataclass(frozen=True)
class Changed:
    """What a change did: applied now (the scenario as stored, or as it was when deleted; the
    configuration and its version), or held for approval (``pending``: the pending change)."""

    kind: str
    scenario: Scenario | None = None
    config: MfaConfig | None = None
    config_version: int = 0
    pending: object | None = None

    @property
    def applied(self) -> bool:
        return self.pending is None


class Conflict(Exception):
    """Changed since it was read: ``current`` is what is stored now (the scenario, or the MFA
    configuration) at ``version``. The pages' one answer to a stale change, whichever layer
    found it (the service's ``Stale`` now; four eyes' proposal from an old version later)."""

    def __init__(self, current: Scenario | MfaConfig, version: int) -> None:
        super().__init__(f"changed meanwhile: version {version} is current")
        self.current = current
        self.version = version


def change(
    changes: Changes,
    service: ScenarioService,
    kind: str,
    target: str,
    after: Mapping[str, Any],
    base_version: int | None,
    actor: str,
    reason: str = "",
) -> Changed:
    """One change as ``actor``, through four eyes (``admin.approvals``): with
    ``ADMIN_FOUR_EYES`` off it is applied at once, on it waits for a second admin
    (``pending``). ``target`` is the scenario's id ("" for a create and for the configuration).
    A change to something that exists must name the version it was read at: without one it is
    refused (``ValueError``), never applied unchecked. ``Conflict`` when the target changed
    since it was read (found now, or by the proposal); ``Invalid`` and ``NotFound`` as the
    service raises them."""
    if kind not in KINDS:
        raise ValueError(f"unknown change {kind!r}")
    if kind != "scenario.create" and base_version is None:
        raise ValueError(f"{kind} needs the version it was read at")
    try:
        done = submit(changes, kind, target, after, base_version, actor, reason, channel="console")
    except Stale as exc:
        raise Conflict(exc.current, exc.version) from exc
    except Outdated as exc:
        if kind == CONFIG_KIND:
            raise Conflict(*service.config_versioned()) from exc
        current = service.get(target)
        raise Conflict(current, current.version) from exc
    if not done.applied:
        return Changed(kind, pending=done.pending)
    if kind == CONFIG_KIND:
        config, version = cast("tuple[MfaConfig, int]", done.result)
        return Changed(kind, config=config, config_version=version)
    return Changed(kind, scenario=cast("Scenario", done.result))


def staff_change(
    kind: str, target: str, after: Mapping[str, Any], base_version: int | None
) -> Changed:
    """``change`` as the signed-in staff member: what every console view that writes calls.
    The reason typed with it (``change_reason``, shown to the approver) goes along."""
    graph = services()
    actor = current_staff().username
    reason = " ".join(request.form.get("change_reason", "").split())[:MAX_REASON]
    return change(graph.changes, graph.scenarios, kind, target, after, base_version, actor, reason)
