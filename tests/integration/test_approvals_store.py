"""The pending-change store on the private real Redis: a change's life (pending → approved,
rejected or superseded, each decided once), the pending list oldest first and the decided
newest first, and two admins approving one change at the same moment: exactly one applies it.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from admin.approvals.changes import Decided, NotPending
from admin.approvals.store import ChangeStore, NoSuchChange, Status
from app import Services
from auth.scenarios.model import Status as ScenarioStatus
from tests.approvals import ALICE, BOB, CAROL, Who, four_eyes_on
from tests.fakes import FrozenClock

# Their stores on a single Redis, a Sentinel-managed master and a Redis Cluster.
pytestmark = pytest.mark.redis_topologies

INTERBANK = "oob07"


def store(services: Services) -> ChangeStore:
    return services.changes.store


def propose(services: Services, clock: FrozenClock, target: str = "t1") -> str:
    change = store(services).add(
        "scenario.update", target, {"a": 1, "version": 1}, {"a": 2}, 1, "alice", "why", clock()
    )
    return change.change_id


def test_a_change_is_pending_with_everything_proposed(
    services: Services, clock: FrozenClock
) -> None:
    change_id = propose(services, clock)
    change = store(services).get(change_id)
    assert change.status is Status.PENDING and change.pending
    assert (change.kind, change.target, change.before, change.after) == (
        "scenario.update",
        "t1",
        {"a": 1, "version": 1},
        {"a": 2},
    )
    assert (change.base_version, change.author, change.reason) == (1, "alice", "why")
    assert change.created_at == clock()
    assert change.decided_by == "" and change.decided_at is None


def test_pending_oldest_first_decided_newest_first(services: Services, clock: FrozenClock) -> None:
    ids = []
    for n in range(3):
        ids.append(propose(services, clock, f"t{n}"))
        clock.advance(minutes=1)
    assert [c.change_id for c in store(services).pending()] == ids
    assert store(services).pending_count() == 3
    for change_id in ids[:2]:
        store(services).move(change_id, Status.PENDING, Status.REJECTED, "bob", clock(), "no")
        clock.advance(minutes=1)
    assert [c.change_id for c in store(services).pending()] == ids[2:]
    assert [c.change_id for c in store(services).decided()] == [ids[1], ids[0]]
    assert store(services).pending_count() == 1


def test_a_decision_happens_once(services: Services, clock: FrozenClock) -> None:
    change_id = propose(services, clock)
    done = store(services).move(change_id, Status.PENDING, Status.REJECTED, "bob", clock(), "n")
    assert (done.status, done.decided_by, done.decided_at, done.note) == (
        Status.REJECTED,
        "bob",
        clock(),
        "n",
    )
    with pytest.raises(NotPending) as refused:
        store(services).move(change_id, Status.PENDING, Status.APPROVED, "carol", clock())
    assert refused.value.change.status is Status.REJECTED
    assert store(services).get(change_id).decided_by == "bob"


def test_a_claim_handed_back_is_pending_again(services: Services, clock: FrozenClock) -> None:
    change_id = propose(services, clock)
    claimed = store(services).move(change_id, Status.PENDING, Status.DECIDING, "bob")
    assert claimed.status is Status.DECIDING
    back = store(services).move(change_id, Status.DECIDING, Status.PENDING)
    assert back.pending and back.decided_by == ""
    assert [c.change_id for c in store(services).pending()] == [change_id]


def test_unknown_changes(services: Services) -> None:
    for change_id in ("nope", "../x", "", "a b"):
        with pytest.raises(NoSuchChange):
            store(services).get(change_id)
    with pytest.raises(NoSuchChange):
        store(services).move("abc123", Status.PENDING, Status.APPROVED)


def test_the_decided_index_keeps_the_most_recent(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("admin.approvals.store.RECENT", 2)
    ids = [propose(services, clock, f"t{n}") for n in range(3)]
    for change_id in ids:
        clock.advance(seconds=1)
        store(services).move(change_id, Status.PENDING, Status.REJECTED, "bob", clock())
    assert [c.change_id for c in store(services).decided()] == [ids[2], ids[1]]
    assert store(services).get(ids[0]).status is Status.REJECTED  # still readable by id


def test_two_admins_approving_at_once_apply_it_once(services: Services, clock: FrozenClock) -> None:
    four_eyes_on(services)
    changes = services.changes
    proposed = changes.submit(
        "scenario.update", INTERBANK, {"frequency": "value_based", "value_above": "250.00"}, 1,
        ALICE.username,
    )  # fmt: skip
    assert proposed.pending is not None
    change_id = proposed.pending.change_id
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def approve(who: Who) -> None:
        start.wait()
        try:
            outcomes.append(changes.approve(change_id, who))
        except NotPending as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=approve, args=(who,)) for who in (BOB, CAROL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    applied = [o for o in outcomes if isinstance(o, Decided) and o.applied]
    refused = [o for o in outcomes if isinstance(o, NotPending)]
    assert len(applied) == 1 and len(refused) == 1
    scenario = services.scenarios.get(INTERBANK)
    assert scenario.version == 2 and str(scenario.spec.value_above) == "250.00"
    assert scenario.spec.status is ScenarioStatus.ACTIVE
    assert len(services.auth.audit.entries(event="mfa.scenario.update")) == 1
    assert len(services.auth.audit.entries(event="change.approved")) == 1
    assert changes.get(change_id).status is Status.APPROVED
    assert changes.pending_count() == 0
    assert clock() - changes.get(change_id).created_at < timedelta(seconds=1)


def test_a_claim_left_unfinished_is_recovered(services: Services, clock: FrozenClock) -> None:
    four_eyes_on(services)
    changes = services.changes
    proposed = changes.submit("scenario.update", INTERBANK, {"description": "X"}, 1, "alice")
    assert proposed.pending is not None
    change_id = proposed.pending.change_id
    # A decision that claimed the change and never finished (its process died).
    store(services).move(change_id, Status.PENDING, Status.DECIDING, "carol", clock())
    assert changes.refusal(changes.get(change_id), BOB).startswith("another admin is deciding")
    with pytest.raises(NotPending):
        changes.approve(change_id, BOB)
    clock.advance(minutes=3)
    decided = changes.approve(change_id, BOB)
    assert decided.applied and decided.change.decided_by == "bob"
    assert services.scenarios.get(INTERBANK).spec.description == "X"
