"""The step-up's facts keep the parsing of the scenarios by the exact text read from Redis: the
same text gives the same rules without parsing again, and any change to a stored scenario is
other text, so the next message decides by the changed rule."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from auth.scenarios.codec import scenario_json
from auth.scenarios.model import Scenario, Status
from auth.stepup.facts import Facts
from tests.unit.test_mfa_scenarios import scenario

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def facts_of(*stored: Scenario) -> Facts:
    raw = {s.scenario_id: scenario_json(s) for s in stored}
    return Facts("+2348030000001", NOW, None, {}, {}, None, raw)


def test_the_same_stored_text_is_parsed_once() -> None:
    first = facts_of(scenario("s1"), scenario("s2", action="OWN_TRANSFER"))
    again = facts_of(scenario("s1"), scenario("s2", action="OWN_TRANSFER"))
    assert [s.scenario_id for s in first.scenarios] == ["s1", "s2"]
    assert all(a is b for a, b in zip(first.scenarios, again.scenarios, strict=True))


def test_a_changed_scenario_is_read_as_changed() -> None:
    before = facts_of(scenario("s1", value_above=Decimal("1000.00")))
    after = facts_of(scenario("s1", value_above=Decimal("10.00"), status=Status.INACTIVE))
    assert before.scenarios[0].spec.value_above == Decimal("1000.00")
    (changed,) = after.scenarios
    assert changed.spec.value_above == Decimal("10.00")
    assert changed.spec.status is Status.INACTIVE
    assert facts_of().scenarios == []  # every scenario deleted: none
