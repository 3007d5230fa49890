"""A pending change's impact on a crafted audit stream (the private real Redis, the demo bank):
the step-up decisions of the last 30 days replayed with the scenarios in force and with the
change — a threshold raised challenges fewer, lowered more, an inactive scenario activated
challenges what it covers, a business customer follows Business Banking's scenario — and what
is not replayed: older entries, switched ways, the same request decided again, other events;
the cap on entries read is stated in the note."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from admin.approvals.changes import submit
from admin.approvals.kinds import Impact, ImpactLine
from admin.approvals.replay import HistoryReader
from app import Services
from auth.scenarios.codec import config_to_dict
from auth.scenarios.model import Status
from tests.approvals import ALICE, decided, four_eyes_on
from tests.fakes import FrozenClock

INTERBANK = "oob07"  # INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE, retail: always challenged
TRANSFER = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"
USERNAME = "USERNAME_UPDATE"
LOGIN = "oob17"  # inactive out of the box
BUSINESS_CUSTOMER = "C006"


def impact_of(services: Services, kind: str, target: str, after: dict[str, Any]) -> Impact:
    four_eyes_on(services)
    done = submit(services.changes, kind, target, after, None, ALICE.username)
    assert done.pending is not None
    found = services.changes.impact(done.pending)
    assert found is not None
    return found


def history(services: Services, clock: FrozenClock, *amounts: str) -> None:
    for amount in amounts:
        decided(services, TRANSFER, amount)
        clock.advance(minutes=10)


def line(found: Impact, label: str) -> ImpactLine:
    (wanted,) = [line for line in found.lines if line.label == label]
    return wanted


def test_always_to_a_threshold_challenges_fewer(services: Services, clock: FrozenClock) -> None:
    history(services, clock, "50.00", "150.00", "250.00", "900.00")
    after = {"frequency": "value_based", "value_above": "200.00"}
    found = impact_of(services, "scenario.update", INTERBANK, after)
    assert found.lines == (ImpactLine(TRANSFER, 4, 4, 2),)
    assert (found.days, found.what, found.note) == (30, "challenged", "")


def test_a_threshold_raised_then_lowered(services: Services, clock: FrozenClock) -> None:
    services.scenarios.update(
        INTERBANK, {"frequency": "value_based", "value_above": "200.00"}, "bob", 1
    )
    history(services, clock, "50.00", "150.00", "250.00", "900.00")
    raised = impact_of(services, "scenario.update", INTERBANK, {"value_above": "500.00"})
    assert line(raised, TRANSFER) == ImpactLine(TRANSFER, 4, 2, 1)
    lowered = impact_of(services, "scenario.update", INTERBANK, {"value_above": "100.00"})
    assert line(lowered, TRANSFER) == ImpactLine(TRANSFER, 4, 2, 3)


def test_an_inactive_scenario_activated(services: Services, clock: FrozenClock) -> None:
    config = {**config_to_dict(services.scenarios.config()), "default_non_monetary": "none"}
    services.scenarios.put_config(config, "bob", 0)
    services.scenarios.set_status("oob02", Status.INACTIVE, "bob", 1)
    for _ in range(3):
        decided(services, USERNAME, event="stepup.decide")
        clock.advance(minutes=10)
    found = impact_of(services, "scenario.activate", "oob02", {"status": "active"})
    assert found.lines == (ImpactLine(USERNAME, 3, 0, 3),)


def test_a_business_customer_follows_business_banking(
    services: Services, clock: FrozenClock
) -> None:
    decided(services, TRANSFER, "300.00", customer_id=BUSINESS_CUSTOMER)
    clock.advance(minutes=10)
    decided(services, TRANSFER, "300.00")
    new = {
        "application": "Business Banking",
        "action": TRANSFER,
        "scenario_type": "monetary",
        "frequency": "value_based",
        "value_above": "1000.00",
        "description": "Business interbank",
        "primary_challenge": "authenticator_app",
        "backup_challenge": "security_questions",
    }
    found = impact_of(services, "scenario.create", "", new)
    assert found.lines == (ImpactLine(TRANSFER, 2, 2, 1),)  # the retail one still challenged


def test_the_mfa_configuration_replays_every_action(services: Services, clock: FrozenClock) -> None:
    services.scenarios.delete(INTERBANK, "bob", 1)  # transfers fall to the default
    history(services, clock, "10.00")
    decided(services, USERNAME, event="stepup.decide")
    services.scenarios.delete("oob02", "bob", 1)
    after = {**config_to_dict(services.scenarios.config()), "default_non_monetary": "none"}
    found = impact_of(services, "mfa_config.put", "", after)
    assert found.lines == (ImpactLine(USERNAME, 1, 1, 0), ImpactLine(TRANSFER, 1, 1, 1))


def test_what_is_not_replayed(services: Services, clock: FrozenClock) -> None:
    decided(services, TRANSFER, "10.00", at=clock() - timedelta(days=31))  # too old
    decided(services, TRANSFER, "20.00")
    clock.advance(minutes=1)
    decided(services, TRANSFER, "20.00")  # the same request again a minute later
    clock.advance(minutes=1)
    decided(services, TRANSFER, "20.00", decision="switched")  # another way, same request
    decided(services, "NOT_AN_ACTION", "20.00")
    services.auth.audit.record(
        "money.transfer", at=clock(), customer_id="C001", msisdn="", channel="whatsapp",
        result="success", action=TRANSFER, amount="USD 20.00",
    )  # fmt: skip
    clock.advance(minutes=10)
    decided(services, TRANSFER, "20.00")  # a new request, later
    found = impact_of(services, "scenario.deactivate", INTERBANK, {})
    assert found.lines == (ImpactLine(TRANSFER, 2, 2, 2),)  # inactive: the default challenges


def test_no_history_says_so(services: Services) -> None:
    found = impact_of(services, "scenario.update", INTERBANK, {"description": "Interbank"})
    assert found.lines == (ImpactLine(TRANSFER, 0, 0, 0),)
    assert found.note == "no money movement or profile change in the last 30 days"


def test_the_cap_is_stated(services: Services, clock: FrozenClock) -> None:
    for n in range(12):
        decided(services, TRANSFER, f"{n + 1}.00")
        clock.advance(minutes=10)
    reader = HistoryReader(services.auth.audit, services.bank.customer, services.clock, 5)
    found = reader.since(clock() - timedelta(days=30))
    assert len(found.events) == 5 and found.capped_at is not None
    kinds = services.changes.registry
    kinds["scenario.update"].history.max_entries = 5  # type: ignore[attr-defined]
    impact = impact_of(services, "scenario.update", INTERBANK, {"description": "Interbank"})
    assert impact.replayed == 4  # the newest of the 5 entries read is the proposal itself
    assert impact.note == "only the newest 5 audit entries were read, back to 2026-11-02 10:20 UTC"


def test_a_deleted_target_has_nothing_to_replay(services: Services, clock: FrozenClock) -> None:
    four_eyes_on(services)
    done = submit(services.changes, "scenario.update", INTERBANK, {"description": "X"}, 1, "a")
    assert done.pending is not None
    services.scenarios.delete(INTERBANK, "bob", 1)
    found = services.changes.impact(done.pending)
    assert found is not None and found.lines == () and "no longer exists" in found.note
