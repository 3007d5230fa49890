"""The appliers for MFA scenarios and the MFA configuration (``auth.scenarios.service``):
``scenario.create``, ``scenario.update``, ``scenario.activate``, ``scenario.deactivate``,
``scenario.delete`` and ``mfa_config.put``.

Each reuses the service's own rules: ``check`` runs the same parsing (and the uniqueness rules)
the service runs, so a proposal that could never be applied is refused when it is made, and
``apply`` calls the service, which checks everything again, audits the change and refuses a
stale base version. ``impact`` replays the last 30 days (``admin.approvals.replay``) with the
rules in force now and with the change applied on top of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from admin.approvals.kinds import Impact, Registry
from admin.approvals.replay import DAYS, WHAT, HistoryReader, Rules, impact
from auth.scenarios.codec import config_to_dict, scenario_to_dict, spec_to_dict
from auth.scenarios.config import parse_config
from auth.scenarios.model import Scenario, Status
from auth.scenarios.service import STATUS_BY_EDIT, ScenarioService
from auth.scenarios.store import NotFound, _clashes
from auth.scenarios.validate import Invalid, parse_spec

CONFIG_TARGET = ""  # the MFA configuration is one value: it has no id
NEW = "(new)"  # the id a proposed scenario has until it is created


def _problems(call: Any, *args: Any) -> tuple[Any, list[str]]:
    try:
        return call(*args), []
    except Invalid as exc:
        return None, list(exc.problems)


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


@dataclass
class _ScenarioKind:
    """What every scenario kind shares: the service, the replay, the proposed scenarios."""

    service: ScenarioService
    history: HistoryReader

    def snapshot(self, target: str) -> dict[str, Any] | None:
        try:
            return scenario_to_dict(self.service.get(target)) if target else None
        except NotFound:
            return None

    def changed(self, target: str, after: Mapping[str, Any]) -> Scenario | None:
        """The target as the change would leave it (None: it would be gone); ``Invalid`` if
        the change can't be applied to it as it is now."""
        raise NotImplementedError

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        try:
            scenario = self.changed(target, after)
        except Invalid as exc:
            return list(exc.problems)
        if scenario is None:
            return []
        others = [s for s in self.service.store.all() if s.scenario_id != target]
        return _clashes(scenario.spec, others)

    def impact(
        self,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        since: datetime,
    ) -> Impact | None:
        now = list(self.service.store.all())
        config = self.service.config()
        old = next((s for s in now if s.scenario_id == target), None) if target else None
        if target and old is None:
            return Impact(DAYS, WHAT, note="the scenario no longer exists: nothing to replay")
        try:
            new = self.changed(target, after)
        except Invalid as exc:
            return Impact(DAYS, WHAT, note="can't be replayed: " + "; ".join(exc.problems))
        rest = [s for s in now if s.scenario_id != target]
        changed = rest + ([new] if new is not None else [])
        actions = {s.spec.action for s in (old, new) if s is not None}
        history = self.history.since(since)
        return impact(history, Rules(tuple(now), config), Rules(tuple(changed), config), actions)

    def _current(self, target: str) -> Scenario:
        return self.service.get(target)  # NotFound propagates: the API answers 404


class ScenarioCreate(_ScenarioKind):
    kind = "scenario.create"

    def changed(self, target: str, after: Mapping[str, Any]) -> Scenario | None:
        spec = parse_spec(after, self.service.config().enabled_types)
        return Scenario(NEW, spec)

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> Scenario:
        return self.service.create(after, by=actor)


class ScenarioUpdate(_ScenarioKind):
    kind = "scenario.update"

    def changed(self, target: str, after: Mapping[str, Any]) -> Scenario | None:
        if "status" in after:
            raise Invalid([STATUS_BY_EDIT])
        current = self._current(target)
        merged = _clean({**spec_to_dict(current.spec), **after})
        spec = parse_spec(merged, self.service.config().enabled_types)
        return Scenario(current.scenario_id, spec, version=current.version)

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> Scenario:
        return self.service.update(target, after, actor, base_version)


class _ScenarioStatus(_ScenarioKind):
    status: Status

    def _only_status(self, after: Mapping[str, Any]) -> list[str]:
        if dict(after) in ({}, {"status": self.status.value}):
            return []
        return [f'status: only {{"status": "{self.status.value}"}} (or nothing)']

    def changed(self, target: str, after: Mapping[str, Any]) -> Scenario | None:
        problems = self._only_status(after)
        if problems:
            raise Invalid(problems)
        current = self._current(target)
        # Only the status moves, as the service moves it: the rest is not parsed again (a
        # scenario stored before a rule tightened can still be switched off).
        return replace(current, spec=replace(current.spec, status=self.status))

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        problems = self._only_status(after)
        self._current(target)
        return problems

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> Scenario:
        return self.service.set_status(target, self.status, actor, base_version)


class ScenarioActivate(_ScenarioStatus):
    kind = "scenario.activate"
    status = Status.ACTIVE


class ScenarioDeactivate(_ScenarioStatus):
    kind = "scenario.deactivate"
    status = Status.INACTIVE


class ScenarioDelete(_ScenarioKind):
    kind = "scenario.delete"

    def changed(self, target: str, after: Mapping[str, Any]) -> Scenario | None:
        if after:
            raise Invalid(["body: a deletion takes no fields"])
        self._current(target)
        return None

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> Scenario:
        return self.service.delete(target, actor, base_version)


@dataclass
class ConfigPut:
    """Replace the bank-wide MFA configuration."""

    service: ScenarioService
    history: HistoryReader
    kind: str = "mfa_config.put"

    def snapshot(self, target: str) -> dict[str, Any] | None:
        config, version = self.service.config_versioned()
        return {**config_to_dict(config), "version": version}

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        return _problems(parse_config, after)[1]

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> object:
        return self.service.put_config(after, actor, base_version)

    def impact(
        self,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        since: datetime,
    ) -> Impact | None:
        new, problems = _problems(parse_config, after)
        if problems:
            return Impact(DAYS, WHAT, note="can't be replayed: " + "; ".join(problems))
        scenarios = tuple(self.service.store.all())
        now = Rules(scenarios, self.service.config())
        return impact(self.history.since(since), now, Rules(scenarios, new))


def add_scenario_appliers(
    registry: Registry, service: ScenarioService, history: HistoryReader
) -> None:
    """Register the six kinds above."""
    registry.add(ScenarioCreate(service, history))
    registry.add(ScenarioUpdate(service, history))
    registry.add(ScenarioActivate(service, history))
    registry.add(ScenarioDeactivate(service, history))
    registry.add(ScenarioDelete(service, history))
    registry.add(ConfigPut(service, history))
