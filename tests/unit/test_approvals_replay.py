"""The impact replay's counting, pure: the same requests decided with the rules in force and
with a change applied — a threshold raised challenges fewer, lowered more, an inactive scenario
activated challenges what it covers, a forced request stays challenged, and each customer's
application decides which scenario applies."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from admin.approvals.kinds import ImpactLine
from admin.approvals.replay import Event, History, Rules, impact, replay
from auth.scenarios.model import (
    ActivityType,
    Application,
    ChallengeType,
    DefaultRule,
    Frequency,
    MfaConfig,
    Scenario,
    ScenarioSpec,
    ScenarioType,
    Status,
)

RETAIL = Application.RETAIL_BANKING
BUSINESS = Application.BUSINESS_BANKING
TRANSFER = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"
CONFIG = MfaConfig()


def transfer_rule(above: str | None, application: Application = RETAIL) -> Scenario:
    spec = ScenarioSpec(
        application=application,
        action=TRANSFER,
        scenario_type=ScenarioType.MONETARY,
        description=f"Transfer {application} {above}",
        primary_challenge=ChallengeType.SMS_CODE,
        frequency=Frequency.VALUE_BASED if above else Frequency.ALWAYS,
        value_above=Decimal(above) if above else None,
    )
    return Scenario(f"s-{application}-{above}", spec)


def username_rule(status: Status) -> Scenario:
    spec = ScenarioSpec(
        application=RETAIL,
        action="USERNAME_UPDATE",
        scenario_type=ScenarioType.NON_MONETARY,
        description="Username",
        primary_challenge=ChallengeType.SMS_CODE,
        activity_type=ActivityType.PROFILE_UPDATE,
        status=status,
    )
    return Scenario("u", spec)


def transfers(*amounts: str, application: Application = RETAIL) -> list[Event]:
    return [Event(application, TRANSFER, Decimal(a)) for a in amounts]


def rules(*scenarios: Scenario, config: MfaConfig = CONFIG) -> Rules:
    return Rules(tuple(scenarios), config)


HISTORY = History(tuple(transfers("50.00", "100.00", "150.00", "500.00", "1000.00")))


def test_a_threshold_raised_challenges_fewer() -> None:
    (line,) = replay(HISTORY, rules(transfer_rule("100.00")), rules(transfer_rule("500.00")))
    assert line == ImpactLine(TRANSFER, replayed=5, before=3, after=1)


def test_a_threshold_lowered_challenges_more() -> None:
    (line,) = replay(HISTORY, rules(transfer_rule("500.00")), rules(transfer_rule("50.00")))
    assert (line.before, line.after) == (1, 4)  # "more than": 50.00 itself is not challenged


def test_always_to_a_threshold() -> None:
    (line,) = replay(HISTORY, rules(transfer_rule(None)), rules(transfer_rule("120.00")))
    assert (line.replayed, line.before, line.after) == (5, 5, 3)


def test_an_inactive_scenario_activated() -> None:
    events = History(tuple(Event(RETAIL, "USERNAME_UPDATE", None) for _ in range(3)))
    no_default = replace(CONFIG, default_non_monetary=DefaultRule.NONE)
    before = rules(username_rule(Status.INACTIVE), config=no_default)
    after = rules(username_rule(Status.ACTIVE), config=no_default)
    (line,) = replay(events, before, after)
    assert line == ImpactLine("USERNAME_UPDATE", 3, 0, 3)


def test_a_forced_request_stays_challenged() -> None:
    events = History((Event(RETAIL, TRANSFER, Decimal("10.00"), force=True),))
    (line,) = replay(events, rules(transfer_rule(None)), rules(transfer_rule("500.00")))
    assert (line.before, line.after) == (1, 1)


def test_the_customers_application_decides() -> None:
    history = History(tuple(transfers("200.00") + transfers("200.00", application=BUSINESS)))
    retail_only = rules(transfer_rule("100.00"), transfer_rule("100.00", BUSINESS))
    business_raised = rules(transfer_rule("100.00"), transfer_rule("300.00", BUSINESS))
    (line,) = replay(history, retail_only, business_raised)
    assert (line.replayed, line.before, line.after) == (2, 2, 1)


def test_no_scenario_means_the_default_challenge() -> None:
    (line,) = replay(HISTORY, rules(transfer_rule("100.00")), rules())
    assert (line.before, line.after) == (3, 5)  # money movements fail closed


def test_only_the_named_actions_and_empty_lines_for_them() -> None:
    history = History((*transfers("10.00"), Event(RETAIL, "BILL_PAY_CREATE", Decimal("5"))))
    lines = replay(history, rules(), rules(), actions={"USERNAME_UPDATE", TRANSFER})
    assert [line.label for line in lines] == ["USERNAME_UPDATE", TRANSFER]  # catalogue order
    assert lines[0] == ImpactLine("USERNAME_UPDATE", 0, 0, 0)


def test_the_impact_and_its_notes() -> None:
    empty = impact(History(()), rules(), rules())
    assert empty.lines == () and "no money movement or profile change" in empty.note
    found = impact(HISTORY, rules(transfer_rule("100.00")), rules(transfer_rule("500.00")))
    assert (found.days, found.what, found.replayed, found.before, found.after) == (
        30,
        "challenged",
        5,
        3,
        1,
    )
    assert found.note == ""
