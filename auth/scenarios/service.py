"""The MFA scenarios as one object: staff's create/edit/activate/delete (every change checked
and audited with who, when, before and after), the configuration, and the dry-run (staff's
"what if"; the chat's own decisions are made in ``auth.stepup.facts``, from one read per
message). Time comes from the clock it is given.

Every change to an existing scenario or to the configuration names the version it was made
from (``expected``): from an older one it is refused with ``Stale`` carrying what is stored
now, checked again atomically by the store. An edit never changes ``status``: only activate and
deactivate do, so an edit can't switch a rule on or off by the way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from redis import Redis

from auth.scenarios.codec import (
    config_to_dict,
    scenario_json,
    spec_to_dict,
)
from auth.scenarios.config import MfaConfigStore, parse_config
from auth.scenarios.evaluate import Decision, evaluate
from auth.scenarios.model import (
    Application,
    ChallengeType,
    MfaConfig,
    Scenario,
    Status,
)
from auth.scenarios.seed import default_scenarios
from auth.scenarios.store import ScenarioStore, Stale, check_version
from auth.scenarios.validate import Invalid, parse_spec
from auth.stores.audit import AuditLog

ADMIN_CHANNEL = "admin"
STATUS_BY_EDIT = "status: an edit can't change it; use /activate or /deactivate"


def _compact(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


@dataclass
class ScenarioService:
    store: ScenarioStore
    config_store: MfaConfigStore
    audit: AuditLog
    clock: Callable[[], datetime]

    @classmethod
    def build(cls, redis: Redis, clock: Callable[[], datetime]) -> ScenarioService:
        return cls(ScenarioStore(redis), MfaConfigStore(redis), AuditLog(redis), clock)

    # --- reading ---

    def find(
        self,
        application: Application | None = None,
        status: Status | None = None,
        search: str = "",
    ) -> list[Scenario]:
        """Filtered by application and status; ``search`` matches action or description."""
        needle = search.strip().casefold()
        return [
            s
            for s in self.store.all()
            if (application is None or s.spec.application is application)
            and (status is None or s.spec.status is status)
            and (
                not needle
                or needle in s.spec.action.casefold()
                or needle in s.spec.description.casefold()
            )
        ]

    def get(self, scenario_id: str) -> Scenario:
        return self.store.get(scenario_id)

    def config(self) -> MfaConfig:
        return self.config_store.get()

    def config_versioned(self) -> tuple[MfaConfig, int]:
        return self.config_store.get_versioned()

    # --- staff changes (each audited) ---

    def create(self, data: Mapping[str, Any], by: str) -> Scenario:
        spec = parse_spec(data, self.config().enabled_types)
        scenario = self.store.create(spec, by, self.clock())
        self._audit("mfa.scenario.create", by, scenario, None, scenario)
        return scenario

    def update(
        self, scenario_id: str, data: Mapping[str, Any], by: str, expected: int | None = None
    ) -> Scenario:
        """Change some fields (never ``status``: ``Invalid``); the whole result is checked as
        on create. ``Stale`` if the scenario is no longer at version ``expected``."""
        if "status" in data:
            raise Invalid([STATUS_BY_EDIT])
        current = self.store.get(scenario_id)
        check_version(current, expected)  # before the rules: they'd be checked on a new base
        merged = {**spec_to_dict(current.spec), **data}
        spec = parse_spec(
            {k: v for k, v in merged.items() if v is not None}, self.config().enabled_types
        )
        before, after = self.store.update(scenario_id, spec, by, self.clock(), expected)
        self._audit("mfa.scenario.update", by, after, before, after)
        return after

    def set_status(
        self, scenario_id: str, status: Status, by: str, expected: int | None = None
    ) -> Scenario:
        before, after = self.store.set_status(scenario_id, status, by, self.clock(), expected)
        event = "mfa.scenario.activate" if status is Status.ACTIVE else "mfa.scenario.deactivate"
        self._audit(event, by, after, before, after)
        return after

    def delete(self, scenario_id: str, by: str, expected: int | None = None) -> Scenario:
        before = self.store.delete(scenario_id, expected)
        self._audit("mfa.scenario.delete", by, before, before, None)
        return before

    def put_config(
        self, data: Mapping[str, Any], by: str, expected: int | None = None
    ) -> tuple[MfaConfig, int]:
        """Replace the configuration; returns it and its new version. ``Stale`` if the stored
        one is no longer at version ``expected``."""
        config = parse_config(data)
        before, _, version = self.config_store.put(config, expected)
        self.audit.record(
            "mfa.config.update",
            at=self.clock(),
            customer_id="",
            msisdn="",
            channel=ADMIN_CHANNEL,
            result="success",
            actor=by,
            before=_compact(config_to_dict(before)),
            after=_compact(config_to_dict(config)),
        )
        return config, version

    def seed(self, bank_name: str) -> bool:
        """The out-of-the-box scenarios, on first start only."""
        now = self.clock()
        return self.store.seed_once(default_scenarios(bank_name, now), now)

    # --- decisions ---

    def dry_run(
        self,
        application: Application,
        action: str,
        amount: Decimal | None,
        enrolled: frozenset[ChallengeType] = frozenset(ChallengeType),
    ) -> Decision:
        """Which challenge fires for this action and amount (staff's "what if")."""
        return evaluate(self.store.all(), self.config(), application, action, amount, enrolled)

    def _audit(
        self,
        event: str,
        by: str,
        scenario: Scenario,
        before: Scenario | None,
        after: Scenario | None,
    ) -> None:
        self.audit.record(
            event,
            at=self.clock(),
            customer_id="",
            msisdn="",
            channel=ADMIN_CHANNEL,
            result="success",
            actor=by,
            scenario=scenario.scenario_id,
            action=scenario.spec.action,
            before=scenario_json(before),
            after=scenario_json(after),
        )


__all__ = ["Invalid", "ScenarioService", "Stale"]
