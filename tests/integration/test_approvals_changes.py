"""Four eyes through ``submit``, ``approve`` and ``reject`` on the private real Redis, with the
real scenario service: off, a change applies at once; on, it waits checked and unapplied, its
author can't approve it (nor can a viewer or an operator), a second admin applies it from its
base version, a change overtaken meanwhile is superseded with what changed, and every step is
in the audit stream with who did it.
"""

from __future__ import annotations

from typing import Any

import pytest

from admin.approvals.changes import NotPending, Outdated, Refused, submit
from admin.approvals.diff import GONE, NONE
from admin.approvals.outcomes import approved_by
from admin.approvals.store import Status
from admin.staff.roles import Role
from app import Services
from auth.scenarios.model import Status as ScenarioStatus
from auth.scenarios.store import NotFound
from auth.scenarios.validate import Invalid
from tests.approvals import ALICE, BOB, OPERATOR, VIEWER, Who, four_eyes_on

INTERBANK = "oob07"  # INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE: always challenged
LOGIN = "oob17"  # LOGIN: ships inactive
THRESHOLD = {"frequency": "value_based", "value_above": "250.00"}


def new_scenario(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application": "Business Banking",
        "action": "BILL_PAY_CREATE",
        "scenario_type": "monetary",
        "frequency": "value_based",
        "value_above": "500.00",
        "description": "Business bill pay",
        "primary_challenge": "sms_code",
        "backup_challenge": "email_code",
        "sms_template": "Code {otp} to pay {transfer_amount} to {payee_name}",
        "email_template": "Code {otp} to pay {transfer_amount} to {payee_name}",
    }
    data.update(changes)
    return data


def events(services: Services, name: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(event=name)]


def propose(services: Services, kind: str, target: str, after: dict[str, Any]) -> str:
    done = submit(services.changes, kind, target, after, None, ALICE.username, "tighter")
    assert not done.applied and done.pending is not None
    return done.pending.change_id


# --- four eyes off ---


def test_off_a_change_applies_at_once(services: Services) -> None:
    done = submit(services.changes, "scenario.update", INTERBANK, THRESHOLD, 1, "alice")
    assert done.applied and done.pending is None
    assert str(services.scenarios.get(INTERBANK).spec.value_above) == "250.00"
    assert services.changes.pending() == []
    (applied,) = events(services, "change.applied")
    assert (applied["actor"], applied["kind"], applied["target"]) == (
        "alice",
        "scenario.update",
        INTERBANK,
    )
    assert events(services, "mfa.scenario.update")[0]["actor"] == "alice"


def test_off_the_service_refuses_as_ever(services: Services) -> None:
    with pytest.raises(Invalid):
        submit(services.changes, "scenario.update", INTERBANK, {"value_above": "-1"}, 1, "a")
    with pytest.raises(NotFound):
        submit(services.changes, "scenario.delete", "nope", {}, 1, "a")
    assert events(services, "change.applied") == []


# --- four eyes on: proposing ---


def test_on_a_change_waits_unapplied(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    scenario = services.scenarios.get(INTERBANK)
    assert scenario.version == 1 and scenario.spec.value_above is None
    change = services.changes.get(change_id)
    assert change.pending and change.author == "alice" and change.reason == "tighter"
    assert change.before is not None and change.before["version"] == 1
    assert change.base_version == 1  # taken from the snapshot when the caller named none
    (proposed,) = events(services, "change.proposed")
    assert (proposed["actor"], proposed["change"], proposed["reason"]) == (
        "alice",
        change_id,
        "tighter",
    )
    assert proposed["channel"] == "console"
    assert events(services, "mfa.scenario.update") == []


def test_on_every_problem_is_refused_and_nothing_stored(services: Services) -> None:
    four_eyes_on(services)
    cases = [
        ("scenario.update", INTERBANK, {"value_above": "-1", "frequency": "value_based"}),
        ("scenario.update", INTERBANK, {"status": "inactive"}),
        ("scenario.create", "", new_scenario(description="Interbank Transfer")),  # a duplicate
        ("scenario.create", "", new_scenario(primary_challenge="carrier_pigeon")),
        ("scenario.activate", LOGIN, {"status": "inactive"}),
        ("mfa_config.put", "", {"code_length": 4}),
    ]
    for kind, target, after in cases:
        with pytest.raises(Invalid) as refused:
            submit(services.changes, kind, target, after, None, "alice")
        assert refused.value.problems, kind
        assert all(": " in p for p in refused.value.problems)
    assert services.changes.pending() == []
    assert events(services, "change.proposed") == []


def test_on_an_unknown_target_is_not_found(services: Services) -> None:
    four_eyes_on(services)
    for kind in ("scenario.update", "scenario.delete", "scenario.activate"):
        with pytest.raises(NotFound):
            submit(services.changes, kind, "nope", {}, None, "alice")


def test_on_a_proposal_from_an_old_version_is_outdated(services: Services) -> None:
    four_eyes_on(services)
    services.scenarios.update(INTERBANK, {"description": "Interbank Transfers"}, "bob", 1)
    with pytest.raises(Outdated) as stale:
        submit(services.changes, "scenario.update", INTERBANK, THRESHOLD, 1, "alice")
    assert stale.value.version == 2 and stale.value.current["description"] == "Interbank Transfers"
    assert services.changes.pending() == []


def test_a_reason_too_long_is_refused(services: Services) -> None:
    four_eyes_on(services)
    with pytest.raises(Invalid) as refused:
        submit(services.changes, "scenario.update", INTERBANK, THRESHOLD, 1, "a", "x" * 501)
    assert refused.value.problems == ["reason: at most 500 characters"]


# --- approving ---


def test_the_author_may_not_approve(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    for author in (ALICE, Who("Alice"), Who("automation:alice")):
        with pytest.raises(Refused) as refused:
            services.changes.approve(change_id, author)
        assert refused.value.reason == "you proposed this change; another admin must approve it"
    assert services.changes.refusal(services.changes.get(change_id), ALICE).startswith("you")
    assert services.changes.refusal(services.changes.get(change_id), BOB) == ""
    assert services.changes.get(change_id).pending


def test_automation_may_not_approve_its_own_person(services: Services) -> None:
    four_eyes_on(services)
    done = submit(services.changes, "scenario.update", INTERBANK, THRESHOLD, 1, "automation:Bob")
    assert done.pending is not None
    with pytest.raises(Refused):
        services.changes.approve(done.pending.change_id, BOB)


def test_only_admins_decide(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    for who in (VIEWER, OPERATOR, Who("aud", Role.AUDITOR), Who("x", "root")):
        with pytest.raises(Refused) as refused:
            services.changes.approve(change_id, who)
        assert "only an admin" in refused.value.reason
        with pytest.raises(Refused):
            services.changes.reject(change_id, who, "no")
    assert services.changes.get(change_id).pending


def test_a_second_admin_applies_it(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    decided = services.changes.approve(change_id, BOB)
    assert decided.applied and decided.change.status is Status.APPROVED
    assert decided.change.decided_by == "bob" and decided.change.decided_at is not None
    scenario = services.scenarios.get(INTERBANK)
    assert scenario.version == 2 and str(scenario.spec.value_above) == "250.00"
    assert scenario.updated_by == approved_by("alice", "bob") == "alice, approved by bob"
    (approved,) = events(services, "change.approved")
    assert (approved["actor"], approved["change"]) == ("bob", change_id)
    kept = services.changes.get(change_id).impact  # as the approver saw it
    assert kept is not None and kept == decided.change.impact
    assert [line.label for line in kept.lines] == ["INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"]
    assert events(services, "mfa.scenario.update")[0]["actor"] == "alice, approved by bob"
    with pytest.raises(NotPending):
        services.changes.approve(change_id, Who("carol"))
    assert services.changes.pending_count() == 0
    assert [c.change_id for c in services.changes.decided()] == [change_id]


def test_overtaken_meanwhile_it_is_superseded(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    services.scenarios.update(INTERBANK, {"description": "Interbank Transfers"}, "carol", 1)
    decided = services.changes.approve(change_id, BOB)
    assert not decided.applied and decided.change.status is Status.SUPERSEDED
    assert "by carol" in decided.reason
    assert "description: Interbank Transfer → Interbank Transfers" in decided.reason
    assert decided.change.note == decided.reason
    scenario = services.scenarios.get(INTERBANK)
    assert scenario.version == 2 and scenario.spec.value_above is None  # not applied
    (superseded,) = events(services, "change.superseded")
    assert superseded["result"] == "refused" and superseded["actor"] == "bob"
    assert events(services, "change.approved") == []


def test_a_target_deleted_meanwhile_supersedes_too(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    services.scenarios.delete(INTERBANK, "carol", 1)
    decided = services.changes.approve(change_id, BOB)
    assert not decided.applied and decided.change.status is Status.SUPERSEDED
    assert "deleted after this change was proposed" in decided.reason


def test_a_change_that_breaks_a_rule_now_stays_pending(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.create", "", new_scenario())
    services.scenarios.create(new_scenario(description="Another bill pay"), "carol")
    with pytest.raises(Invalid) as refused:
        services.changes.approve(change_id, BOB)
    assert refused.value.problems[0].startswith("action: Business Banking already has")
    assert services.changes.get(change_id).pending  # for a reject with a note


def test_reject_with_a_note(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    done = services.changes.reject(change_id, BOB, "  too loose for interbank  ")
    assert done.status is Status.REJECTED and done.note == "too loose for interbank"
    assert services.scenarios.get(INTERBANK).version == 1
    (rejected,) = events(services, "change.rejected")
    assert (rejected["actor"], rejected["reason"]) == ("bob", "too loose for interbank")
    with pytest.raises(NotPending):
        services.changes.approve(change_id, Who("carol"))
    with pytest.raises(Invalid):
        services.changes.reject(propose(services, "scenario.delete", INTERBANK, {}), BOB, "x" * 501)


def test_the_author_may_withdraw_by_rejecting(services: Services) -> None:
    four_eyes_on(services)
    change_id = propose(services, "scenario.update", INTERBANK, THRESHOLD)
    assert services.changes.reject(change_id, ALICE, "withdrawn").status is Status.REJECTED


# --- every kind ---


def test_every_kind_applies_on_approval(services: Services) -> None:
    four_eyes_on(services)
    created = services.changes.approve(
        propose(services, "scenario.create", "", new_scenario()), BOB
    )
    assert created.applied
    new = services.scenarios.find(search="Business bill pay")[0]
    assert new.created_by == "alice, approved by bob"
    services.changes.approve(
        propose(services, "scenario.activate", LOGIN, {"status": "active"}), BOB
    )
    assert services.scenarios.get(LOGIN).spec.status is ScenarioStatus.ACTIVE
    services.changes.approve(propose(services, "scenario.deactivate", INTERBANK, {}), BOB)
    assert services.scenarios.get(INTERBANK).spec.status is ScenarioStatus.INACTIVE
    services.changes.approve(propose(services, "scenario.delete", new.scenario_id, {}), BOB)
    with pytest.raises(NotFound):
        services.scenarios.get(new.scenario_id)
    config = {**_config(services), "code_length": 8}
    services.changes.approve(propose(services, "mfa_config.put", "", config), BOB)
    assert services.scenarios.config().code_length == 8
    assert events(services, "mfa.config.update")[0]["actor"] == "alice, approved by bob"


def _config(services: Services) -> dict[str, Any]:
    from auth.scenarios.codec import config_to_dict

    return config_to_dict(services.scenarios.config())


def test_the_diff_field_by_field(services: Services) -> None:
    four_eyes_on(services)
    update = services.changes.get(propose(services, "scenario.update", INTERBANK, THRESHOLD))
    lines = {line.field: line for line in services.changes.diff(update)}
    assert (lines["frequency"].before, lines["frequency"].after) == ("always", "value_based")
    assert (lines["value_above"].before, lines["value_above"].after) == (NONE, "250.00")
    assert all(line.changed for line in lines.values())
    delete = services.changes.get(propose(services, "scenario.delete", INTERBANK, {}))
    gone = services.changes.diff(delete)
    assert {line.after for line in gone} == {GONE}
    assert "version" not in {line.field for line in gone}
    create = services.changes.get(propose(services, "scenario.create", "", new_scenario()))
    assert {line.before for line in services.changes.diff(create)} == {NONE}
