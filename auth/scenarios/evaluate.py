"""Which step-up challenge fires: a pure function of the scenarios, the MFA configuration, the
application and action, the amount, and the factors the customer has set up.

Rules (the admin guide, SECURITY.md 12):
- the active scenario for the application and action decides; a combined-application scenario
  ("Retail and Business Banking") covers its parts when they have none of their own;
- ``value_based`` challenges only when the amount is *more than* ``value_above``; a missing
  amount on a money movement is treated as over any threshold (fail closed);
- with no active scenario, money movements always get the configured default challenge; other
  actions follow ``default_non_monetary``;
- the primary type is used if the customer has it set up and it is enabled, else the backup;
  if neither can be used the action can't go on (``unavailable``) — never silently unchallenged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from auth.scenarios.model import (
    ACTIONS,
    COVERED_BY,
    Application,
    ChallengeType,
    DefaultRule,
    Frequency,
    MfaConfig,
    Scenario,
)


@dataclass(frozen=True)
class Decision:
    """``required`` with ``options`` (usable types, the one to use first) or not required."""

    required: bool
    options: tuple[ChallengeType, ...]
    scenario: Scenario | None  # the rule that decided; None: the configured default
    reason: str  # for staff (the dry-run) and the audit stream

    @property
    def challenge(self) -> ChallengeType | None:
        return self.options[0] if self.required and self.options else None

    @property
    def unavailable(self) -> bool:
        """A challenge is required but the customer has none of its types set up."""
        return self.required and not self.options


def find_scenario(
    scenarios: Iterable[Scenario], application: Application, action: str
) -> Scenario | None:
    """The active scenario for this application and action, or its combined application's."""
    active = {(s.spec.application, s.spec.action): s for s in scenarios if s.spec.active}
    found = active.get((application, action))
    if found is None and application in COVERED_BY:
        found = active.get((COVERED_BY[application], action))
    return found


def _usable(
    wanted: Iterable[ChallengeType | None], config: MfaConfig, enrolled: frozenset[ChallengeType]
) -> tuple[ChallengeType, ...]:
    ordered = [t for t in wanted if t is not None]
    return tuple(t for t in dict.fromkeys(ordered) if t in config.enabled_types and t in enrolled)


def evaluate(
    scenarios: Iterable[Scenario],
    config: MfaConfig,
    application: Application,
    action: str,
    amount: Decimal | None,
    enrolled: frozenset[ChallengeType],
    *,
    force: bool = False,
) -> Decision:
    """The decision for one request. ``force``: challenge whatever the rules say (a new payee's
    first transfer); the rule's types are still used. Unknown actions raise ValueError."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    monetary = ACTIONS[action].monetary
    scenario = find_scenario(scenarios, application, action)
    if scenario is None:
        defaults = (config.default_primary, config.default_backup)
        options = _usable(defaults, config, enrolled)
        if monetary or force:
            why = "no active scenario: money movements always get the default challenge"
            return Decision(True, options, None, why)
        if config.default_non_monetary is DefaultRule.CHALLENGE:
            return Decision(True, options, None, "no active scenario: the default challenges")
        return Decision(False, (), None, "no active scenario: the default asks for none")
    spec = scenario.spec
    options = _usable(spec.challenge_types, config, enrolled)
    if force:
        return Decision(True, options, scenario, "always challenged for this request")
    if spec.frequency is Frequency.VALUE_BASED and spec.value_above is not None:
        if amount is not None and amount <= spec.value_above:
            why = f"{amount} is not more than {spec.value_above}"
            return Decision(False, (), scenario, why)
        shown = "no amount" if amount is None else str(amount)
        return Decision(True, options, scenario, f"{shown} is more than {spec.value_above}")
    return Decision(True, options, scenario, f"{spec.description}: always challenged")
