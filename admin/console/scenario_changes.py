"""The one way the console changes a scenario or the MFA configuration: ``change(kind, target,
after, base_version, actor)``. Every page that writes calls it and nothing else, so holding a
change back for a second admin's approval (four eyes) is switched on here, in one place.

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
from typing import Any

from admin.console.guard import current_staff
from admin.wiring import services
from auth.scenarios.model import MfaConfig, Scenario, Status
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


def change(
    service: ScenarioService,
    kind: str,
    target: str,
    after: Mapping[str, Any],
    base_version: int | None,
    actor: str,
) -> Changed:
    """Make (today: apply at once) one change as ``actor``. ``target`` is the scenario's id
    ("" for a create and for the configuration). A change to something that exists must name
    the version it was read at: without one it is refused (``ValueError``), never applied
    unchecked."""
    if kind not in KINDS:
        raise ValueError(f"unknown change {kind!r}")
    if kind != "scenario.create" and base_version is None:
        raise ValueError(f"{kind} needs the version it was read at")
    if kind == "scenario.create":
        return Changed(kind, scenario=service.create(after, by=actor))
    if kind == "scenario.update":
        return Changed(kind, scenario=service.update(target, after, actor, base_version))
    if kind in ("scenario.activate", "scenario.deactivate"):
        status = Status.ACTIVE if kind == "scenario.activate" else Status.INACTIVE
        return Changed(kind, scenario=service.set_status(target, status, actor, base_version))
    if kind == "scenario.delete":
        return Changed(kind, scenario=service.delete(target, actor, base_version))
    config, version = service.put_config(after, actor, base_version)
    return Changed(kind, config=config, config_version=version)


class Conflict(Exception):
    """Changed since it was read: ``current`` is what is stored now (the scenario, or the MFA
    configuration) at ``version``. The pages' one answer to a stale change, whichever layer
    found it (the service's ``Stale`` now; four eyes' proposal from an old version later)."""

    def __init__(self, current: Scenario | MfaConfig, version: int) -> None:
        super().__init__(f"changed meanwhile: version {version} is current")
        self.current = current
        self.version = version


def staff_change(
    kind: str, target: str, after: Mapping[str, Any], base_version: int | None
) -> Changed:
    """``change`` as the signed-in staff member: what every console view that writes calls.
    ``Conflict`` when the target changed since it was read; ``Invalid`` and ``NotFound`` as
    the service raises them."""
    actor = current_staff().username
    try:
        return change(services().scenarios, kind, target, after, base_version, actor)
    except Stale as exc:
        raise Conflict(exc.current, exc.version) from exc
