"""MFA scenarios in Redis, with the two uniqueness rules enforced atomically: one scenario per
application and action, and descriptions unique case-insensitively.

All scenarios live in one hash (a bank has tens of them, not thousands), so a write can read
the whole set under WATCH, check both rules, and commit only if nobody changed the set
meanwhile: two staff members saving clashing scenarios at once can't both win. The same
transaction checks the version the change was made from (``expected``): two staff members
editing one scenario from the same read can't both win either — the second gets ``Stale`` with
the scenario as it now is.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from redis import Redis, WatchError

from auth.scenarios.codec import scenario_from_dict, scenario_to_dict
from auth.scenarios.model import MfaConfig, Scenario, ScenarioSpec, Status
from auth.scenarios.validate import Invalid, fold_description

# Keys — value shape, lifetime (the {mfa} hash tag keeps all MFA admin keys in one cluster slot):
SCENARIOS_KEY = "teller:{mfa}:scenarios"  # hash: scenario id → JSON of codec.scenario_to_dict
SEEDED_KEY = "teller:{mfa}:seeded"  # str: when the out-of-the-box scenarios were seeded

_RETRIES = 20


class NotFound(Exception):
    """No scenario with that id."""


class Stale(Exception):
    """The change was made from an older version; ``current`` is what is stored now, at
    ``version``."""

    def __init__(self, current: Scenario | MfaConfig, version: int) -> None:
        super().__init__(f"stale: version {version} is current")
        self.current = current
        self.version = version


def check_version(scenario: Scenario, expected: int | None) -> None:
    """``Stale`` unless ``expected`` is the scenario's version (None: no check, in-process
    callers only — the admin API always sends one)."""
    if expected is not None and expected != scenario.version:
        raise Stale(scenario, scenario.version)


def _clashes(spec: ScenarioSpec, others: list[Scenario]) -> list[str]:
    problems: list[str] = []
    folded = fold_description(spec.description)
    for other in others:
        if (other.spec.application, other.spec.action) == (spec.application, spec.action):
            problems.append(
                f"action: {spec.application.value} already has a scenario for {spec.action}"
                f" ({other.spec.description})"
            )
        if fold_description(other.spec.description) == folded:
            problems.append("description: another scenario already has this description")
    return problems


def parse_all(raw: dict[str, str]) -> list[Scenario]:
    """The scenarios the ``SCENARIOS_KEY`` hash holds, by application and action."""
    scenarios = [scenario_from_dict(json.loads(value)) for value in raw.values()]
    return sorted(scenarios, key=lambda s: (s.spec.application.value, s.spec.action))


class ScenarioStore:
    """Reads and writes scenarios; Redis errors propagate (callers fail closed or answer 503)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def all(self) -> list[Scenario]:
        raw: dict[str, str] = self.redis.hgetall(SCENARIOS_KEY)  # type: ignore[assignment]
        return parse_all(raw)

    def get(self, scenario_id: str) -> Scenario:
        raw: str | None = self.redis.hget(SCENARIOS_KEY, scenario_id)  # type: ignore[assignment]
        if raw is None:
            raise NotFound(scenario_id)
        return scenario_from_dict(json.loads(raw))

    def create(self, spec: ScenarioSpec, by: str, now: datetime) -> Scenario:
        """Store a new scenario; ``Invalid`` if it clashes with one already stored."""
        scenario = Scenario(secrets.token_hex(6), spec, by, now, by, now)
        self._write(scenario.scenario_id, lambda _old: scenario, creating=True)
        return scenario

    def update(
        self,
        scenario_id: str,
        spec: ScenarioSpec,
        by: str,
        now: datetime,
        expected: int | None = None,
    ) -> tuple[Scenario, Scenario]:
        """Replace a scenario's fields; returns (before, after). ``Stale`` if it is no longer
        at version ``expected``."""
        return self._write(
            scenario_id,
            lambda old: replace(old, spec=spec, updated_by=by, updated_at=now),
            expected=expected,
        )

    def set_status(
        self,
        scenario_id: str,
        status: Status,
        by: str,
        now: datetime,
        expected: int | None = None,
    ) -> tuple[Scenario, Scenario]:
        return self._write(
            scenario_id,
            lambda old: replace(
                old, spec=replace(old.spec, status=status), updated_by=by, updated_at=now
            ),
            expected=expected,
        )

    def delete(self, scenario_id: str, expected: int | None = None) -> Scenario:
        """Remove a scenario; returns what was removed. ``Stale`` if it is no longer at version
        ``expected``."""
        with self.redis.pipeline() as pipe:
            for _ in range(_RETRIES):
                try:
                    pipe.watch(SCENARIOS_KEY)  # type: ignore[no-untyped-call]
                    raw = pipe.hget(SCENARIOS_KEY, scenario_id)
                    if raw is None:
                        raise NotFound(scenario_id)
                    check_version(scenario_from_dict(json.loads(raw)), expected)
                    pipe.multi()
                    pipe.hdel(SCENARIOS_KEY, scenario_id)
                    pipe.execute()
                    return scenario_from_dict(json.loads(raw))
                except WatchError:
                    continue
        raise RuntimeError("scenario store busy: try again")

    def seed_once(self, scenarios: list[Scenario], now: datetime) -> bool:
        """Store the out-of-the-box scenarios the first time only (deleting them later sticks).

        The marker and the scenarios are written in one transaction, so a failure can't leave
        the marker without the scenarios. A seed that would clash with a scenario staff already
        made (possible when Redis was down at first start) is left out: theirs wins.
        """
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(SEEDED_KEY, SCENARIOS_KEY)  # type: ignore[no-untyped-call]
                if pipe.exists(SEEDED_KEY):
                    return False
                raw: dict[str, str] = pipe.hgetall(SCENARIOS_KEY)  # type: ignore[assignment]
                kept = [scenario_from_dict(json.loads(v)) for v in raw.values()]
                for scenario in scenarios:
                    if not _clashes(scenario.spec, kept):
                        kept.append(scenario)
                values = {s.scenario_id: json.dumps(scenario_to_dict(s)) for s in kept}
                pipe.multi()
                pipe.set(SEEDED_KEY, now.isoformat())
                if values:
                    pipe.hset(SCENARIOS_KEY, mapping=values)  # type: ignore[arg-type]
                pipe.execute()
            except WatchError:  # another process seeded (or staff saved) meanwhile
                return False
        return True

    def _write(
        self,
        scenario_id: str,
        change: Callable[[Scenario], Scenario],
        creating: bool = False,
        expected: int | None = None,
    ) -> tuple[Scenario, Scenario]:
        with self.redis.pipeline() as pipe:
            for _ in range(_RETRIES):
                try:
                    pipe.watch(SCENARIOS_KEY)  # type: ignore[no-untyped-call]
                    raw: dict[str, str] = pipe.hgetall(SCENARIOS_KEY)  # type: ignore[assignment]
                    stored = {k: scenario_from_dict(json.loads(v)) for k, v in raw.items()}
                    if creating:
                        old = None
                        new = change(None)  # type: ignore[arg-type]
                    else:
                        if scenario_id not in stored:
                            raise NotFound(scenario_id)
                        old = stored[scenario_id]
                        check_version(old, expected)  # under WATCH: a later write retries
                        new = replace(change(old), version=old.version + 1)
                    others = [s for k, s in stored.items() if k != scenario_id]
                    problems = _clashes(new.spec, others)
                    if problems:
                        raise Invalid(problems)
                    pipe.multi()
                    pipe.hset(SCENARIOS_KEY, scenario_id, json.dumps(scenario_to_dict(new)))
                    pipe.execute()
                    return (old or new), new
                except WatchError:
                    continue
        raise RuntimeError("scenario store busy: try again")
