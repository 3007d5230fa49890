"""Which application's scenarios decide a chat request, pure: a customer's segment gives the
application (retail → Retail Banking, business → Business Banking, anything else retail), a
"Retail and Business Banking" scenario covers both when they have none of their own, a Business
Banking scenario never touches a retail customer, Customer Onboarding and Consumer Lending never
fire from the chat, and ``flows.stepup.require`` puts the customer's segment on every request.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from auth.ports import StepUpRequest
from auth.scenarios.evaluate import evaluate, find_scenario
from auth.scenarios.model import (
    Application,
    ChallengeType,
    Frequency,
    MfaConfig,
    Scenario,
    ScenarioSpec,
    ScenarioType,
    application_for,
)
from bank.ports import SEGMENTS, Customer
from flows import stepup
from flows.types import Context
from tests.fakes import FakeBank, FakeIdentity, FakeStepUp

ACTION = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"
ALL = frozenset(ChallengeType)
RETAIL, BUSINESS = Application.RETAIL_BANKING, Application.BUSINESS_BANKING
BOTH = Application.RETAIL_AND_BUSINESS_BANKING


def rule(application: Application, primary: ChallengeType, above: str | None = None) -> Scenario:
    spec = ScenarioSpec(
        application=application,
        action=ACTION,
        scenario_type=ScenarioType.MONETARY,
        description=f"{application.value} transfers",
        primary_challenge=primary,
        frequency=Frequency.VALUE_BASED if above else Frequency.ALWAYS,
        value_above=Decimal(above) if above else None,
    )
    return Scenario(f"s-{application.name}", spec)


def decided(scenarios: list[Scenario], segment: str, amount: str = "100.00") -> Any:
    return evaluate(scenarios, MfaConfig(), application_for(segment), ACTION, Decimal(amount), ALL)


def test_each_segment_has_its_application() -> None:
    assert [application_for(s) for s in SEGMENTS] == [RETAIL, BUSINESS]
    for unknown in ("", "Business", "wealth", "corporate"):
        assert application_for(unknown) is RETAIL  # the seed's default


def test_a_business_scenario_decides_for_business_customers_only() -> None:
    retail = rule(RETAIL, ChallengeType.SMS_CODE)
    business = rule(BUSINESS, ChallengeType.AUTHENTICATOR_APP, above="500.00")
    scenarios = [retail, business]
    assert decided(scenarios, "business").scenario == business
    assert not decided(scenarios, "business").required  # 100 is not more than 500
    assert decided(scenarios, "business", "500.01").challenge is ChallengeType.AUTHENTICATOR_APP
    assert decided(scenarios, "retail").scenario == retail
    assert decided(scenarios, "retail").challenge is ChallengeType.SMS_CODE
    # Without the retail rule, a retail customer gets the default, never the business rule.
    alone = decided([business], "retail")
    assert alone.scenario is None and alone.required and alone.challenge is ChallengeType.SMS_CODE


def test_retail_and_business_covers_both_unless_one_has_its_own() -> None:
    both = rule(BOTH, ChallengeType.EMAIL_CODE)
    for segment in SEGMENTS:
        assert decided([both], segment).scenario == both
    business = rule(BUSINESS, ChallengeType.AUTHENTICATOR_APP)
    assert decided([both, business], "business").scenario == business
    assert decided([both, business], "retail").scenario == both


def test_an_inactive_business_scenario_falls_to_the_combined_one() -> None:
    both = rule(BOTH, ChallengeType.EMAIL_CODE)
    business = rule(BUSINESS, ChallengeType.AUTHENTICATOR_APP)
    paused = replace(business, spec=replace(business.spec, status=business.spec.status.INACTIVE))
    assert find_scenario([both, paused], BUSINESS, ACTION) == both


@pytest.mark.parametrize(
    "application", [Application.CUSTOMER_ONBOARDING, Application.CONSUMER_LENDING]
)
def test_onboarding_and_lending_scenarios_never_fire_from_the_chat(
    application: Application,
) -> None:
    other = rule(application, ChallengeType.EMAIL_CODE, above="1000000.00")
    for segment in (*SEGMENTS, ""):
        answer = decided([other], segment)
        assert answer.scenario is None  # the default decides, not the other application's rule


def ctx(customer: Customer, port: FakeStepUp) -> Context:
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    return Context(
        customer,
        "Demo Bank",
        at,
        bank=FakeBank(),
        identity=FakeIdentity(),
        currency="USD",
        zone=UTC,
        stepup=port,
    )


@pytest.mark.parametrize("segment", SEGMENTS)
def test_require_puts_the_customers_segment_on_the_request(segment: str) -> None:
    customer = Customer("C006", "Seun A.", "+2348030000006", "seun@example.com", 3, True, segment)
    port = FakeStepUp()
    request = StepUpRequest(ACTION, "100.00", "USD", "Bola Ade", "0678901234")
    outcome = stepup.require(ctx(customer, port), request, "security.pin_link", {})
    assert port.request == replace(request, segment=segment)
    # Kept with the conversation, so a resend or another way decides for the same application.
    assert StepUpRequest.from_dict(outcome.data["stepup"]).segment == segment
