"""The KYC appliers on the real service graph (Redis, the demo bank): snapshot, check (every
problem by field, nothing changed), apply (in force, audited with actor and reason, a stale
version refused), and the impact replayed from money movements in the audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from admin.approvals.kinds import Applier, Impact
from admin.kyc import replay as replay_module
from admin.kyc.base import KycStale
from admin.kyc.build import kyc_appliers
from admin.kyc.levels import fingerprint
from admin.kyc.replay import MovementReader
from app import Services
from auth.scenarios.validate import Invalid
from tests.fakes import FrozenClock

LEVEL_2 = {"per_transaction": "2000.00", "daily": "5000.00", "monthly": "30000.00"}
WHY = "Annual limits review, ticket KYC-118"


@pytest.fixture
def kinds(services: Services) -> dict[str, Applier]:
    return {a.kind: a for a in kyc_appliers(services.bank, services.auth)}


def audited(services: Services, event: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.entries(event=event)]


def moved(services: Services, clock: FrozenClock, amount: str, hours_ago: float, **kw: str) -> None:
    """A money movement in the audit, as the chat records it."""
    services.auth.audit.record(
        kw.pop("event", "money.transfer"),
        at=clock() - timedelta(hours=hours_ago),
        customer_id=kw.pop("customer", "C001"),
        msisdn="+2348030000001",
        channel="whatsapp",
        result=kw.pop("result", "success"),
        amount=f"USD {amount}",
        parties="from ••6789 to ••4321 at 044",
        **kw,
    )


def rows(impact: Impact | None) -> list[tuple[str, int, int, int]]:
    assert impact is not None
    return [(line.label, line.replayed, line.before, line.after) for line in impact.lines]


# --- kyc_level.put ---


def test_a_levels_snapshot_and_its_version(kinds: dict[str, Applier], services: Services) -> None:
    level = kinds["kyc_level.put"]
    snapshot = level.snapshot("2")
    assert snapshot == {**LEVEL_2, "version": fingerprint(services.bank.kyc_levels()[1])}
    assert level.snapshot("9") is None and level.snapshot("two") is None


def test_a_level_change_is_checked_field_by_field(kinds: dict[str, Applier]) -> None:
    level = kinds["kyc_level.put"]
    assert level.check("2", {**LEVEL_2, "daily": "6000.00", "reason": WHY}) == []
    assert level.check("2", {**LEVEL_2, "daily": "1,500", "monthly": "x", "extra": "1"}) == [
        "extra: unknown field; use per_transaction, daily, monthly, reason",
        "monthly: more than 0, at most 2 decimals, such as 1000.00",
        "reason: required: say why, for the audit and the approving admin",
    ]
    assert level.check("2", {**LEVEL_2, "daily": "1,500", "reason": WHY}) == [
        "daily: at least the per-transaction limit (2,000.00)"
    ]
    assert level.check("1", {**LEVEL_2, "daily": "150", "per_transaction": "100", "reason": WHY})
    assert level.check("2", {**LEVEL_2, "reason": "card 5399831234564242 lost"}) == [
        "reason: no account, card, ID or phone numbers (8 digits or more in a row): the audit "
        "keeps this text; a case or ticket reference is fine"
    ]


def test_the_lowest_levels_daily_limit_stays_above_the_cooling_off_cap(
    kinds: dict[str, Applier],
) -> None:
    lowest = {"per_transaction": "100.00", "daily": "150.00", "monthly": "5000.00", "reason": WHY}
    assert kinds["kyc_level.put"].check("1", lowest) == [
        "daily: at least the cooling-off cap (200.00) for the lowest level; lower the cap "
        "first (Cooling-off after registering)"
    ]


def test_a_level_change_applies_and_is_audited(
    kinds: dict[str, Applier], services: Services
) -> None:
    level = kinds["kyc_level.put"]
    base = level.snapshot("2")
    assert base is not None
    level.apply("2", {**LEVEL_2, "daily": "6,000", "reason": WHY}, base["version"], "ada.admin")
    assert services.bank.kyc_levels()[1].daily == Decimal("6000.00")
    [entry] = audited(services, "kyc.level_changed")
    assert {k: entry[k] for k in ("actor", "level", "fields", "reason", "channel")} == {
        "actor": "ada.admin",
        "level": "2",
        "fields": "daily",
        "reason": WHY,
        "channel": "console",
    }
    assert entry["before"] == "per_transaction=2000.00 daily=5000.00 monthly=30000.00"
    assert entry["after"] == "per_transaction=2000.00 daily=6000.00 monthly=30000.00"
    with pytest.raises(KycStale):  # proposed from the limits before that change
        level.apply("2", {**LEVEL_2, "monthly": "31000", "reason": WHY}, base["version"], "bo")
    assert services.bank.kyc_levels()[1].monthly == Decimal("30000.00")


def test_a_broken_rule_raises_and_changes_nothing(
    kinds: dict[str, Applier], services: Services
) -> None:
    before = services.bank.kyc_levels()
    with pytest.raises(Invalid) as refused:
        kinds["kyc_level.put"].apply("2", {**LEVEL_2, "daily": "0", "reason": WHY}, None, "ada")
    assert refused.value.problems == ["daily: more than 0, at most 2 decimals, such as 1000.00"]
    assert services.bank.kyc_levels() == before
    assert audited(services, "kyc.level_changed") == []


def test_the_next_level_is_added(kinds: dict[str, Applier], services: Services) -> None:
    new = {"per_transaction": "20000", "daily": "50000", "monthly": "400000", "reason": WHY}
    assert kinds["kyc_level.put"].snapshot("4") is None
    kinds["kyc_level.put"].apply("4", new, None, "ada.admin")
    assert [k.level for k in services.bank.kyc_levels()] == [1, 2, 3, 4]
    assert audited(services, "kyc.level_changed")[0]["before"] == "(new level)"


def test_a_level_changes_impact_on_the_last_30_days(
    kinds: dict[str, Applier], services: Services, clock: FrozenClock
) -> None:
    moved(services, clock, "500.00", 24 * 31)  # too old
    moved(services, clock, "1800.00", 48)  # Amina (level 2)
    moved(services, clock, "1500.00", 47)
    moved(services, clock, "2500.00", 30, result="refused", reason="limit.per_transaction")
    moved(services, clock, "900.00", 29, result="refused", reason="insufficient_funds")
    moved(services, clock, "9000.00", 20, customer="C002")  # Tunde: level 3
    moved(services, clock, "100.00", 10, event="money.claim")  # money received
    moved(services, clock, "300.00", 5, event="money.bill")
    after = {"per_transaction": "1600.00", "daily": "3000.00", "monthly": "30000.00"}
    impact = kinds["kyc_level.put"].impact(
        "2", LEVEL_2, {**after, "reason": WHY}, clock() - timedelta(days=30)
    )
    assert rows(impact) == [
        # 1,800 and 2,500 over 1,600 a transfer; 2,500 was over 2,000 already
        ("per-transaction limit", 4, 1, 2),
        ("daily limit", 4, 0, 0),  # the 1,800 refused moves nothing: 1,500 is the day's
        ("monthly limit", 4, 0, 0),
    ]
    assert kinds["kyc_level.put"].impact("4", None, {**after, "reason": WHY}, clock()) == Impact(
        30, "over the limit", note="a new level: no customer is at it yet"
    )


# --- kyc_settings.put ---


def test_the_cooling_off_settings_are_checked_applied_and_audited(
    kinds: dict[str, Applier], services: Services
) -> None:
    settings = kinds["kyc_settings.put"]
    assert settings.snapshot("") == {"hours": 24, "cap": "200.00", "version": 0}
    assert settings.check("", {"hours": "-3", "cap": "1000.01", "reason": ""}) == [
        "hours: a whole number of hours from 0 to 720",
        "cap: at most the lowest KYC level's daily limit (1,000.00): the cooling-off only ever "
        "lowers limits",
        "reason: required: say why, for the audit and the approving admin",
    ]
    settings.apply("", {"hours": 48, "cap": "150", "reason": WHY}, 0, "ada.admin")
    assert services.auth.cooling_off == timedelta(hours=48)
    assert services.auth.cooling_off_cap == Decimal("150.00")
    [entry] = audited(services, "kyc.settings_changed")
    assert (entry["before"], entry["after"]) == ("hours=24 cap=200.00", "hours=48 cap=150.00")
    assert (entry["fields"], entry["actor"], entry["reason"]) == ("hours,cap", "ada.admin", WHY)
    with pytest.raises(KycStale) as stale:
        settings.apply("", {"hours": 12, "cap": "150", "reason": WHY}, 0, "bo.admin")
    assert stale.value.current == {"hours": 48, "cap": "150.00", "version": 1}


def test_the_cooling_off_impact_replays_movements_made_while_it_ran(
    kinds: dict[str, Applier], services: Services, clock: FrozenClock
) -> None:
    registered = clock() - timedelta(hours=60)
    services.redis.hset("teller:{+2348030000001}:cred", "registered_at", registered.isoformat())
    moved(services, clock, "150.00", 59)  # 1 h after registering
    moved(services, clock, "150.00", 30)  # 30 h after: outside 24 h, inside 48 h
    moved(services, clock, "150.00", 1, customer="C002")  # never registered
    after = {"hours": 48, "cap": "100.00", "reason": WHY}
    impact = kinds["kyc_settings.put"].impact("", None, after, clock() - timedelta(days=30))
    assert rows(impact)[1] == ("daily limit", 2, 0, 2)


# --- customer.kyc_level ---


def test_a_customers_level_is_checked_applied_and_audited(
    kinds: dict[str, Applier], services: Services
) -> None:
    customer = kinds["customer.kyc_level"]
    assert customer.snapshot("C001") == {"level": 2, "version": 2}
    assert customer.snapshot("C999") is None
    assert customer.check("C001", {"level": 2, "reason": WHY}) == [
        "level: Amina Yusuf is at level 2 already"
    ]
    assert customer.check("C001", {"level": "7", "reason": WHY}) == [
        "level: one of the bank's KYC levels (1, 2, 3)"
    ]
    assert customer.check("C999", {"level": 1, "reason": WHY}) == [
        "customer: the bank has no such customer"
    ]
    customer.apply("C001", {"level": 3, "reason": WHY}, 2, "ola.operator")
    found = services.bank.customer("C001")
    assert found is not None and found.kyc_level == 3
    [entry] = audited(services, "customer.kyc_level")
    assert {k: entry[k] for k in ("customer", "number", "level", "before", "actor", "reason")} == {
        "customer": "C001",
        "number": "+234•••••0001",
        "level": "3",
        "before": "2",
        "actor": "ola.operator",
        "reason": WHY,
    }
    with pytest.raises(KycStale):  # proposed while Amina was at level 2
        customer.apply("C001", {"level": 1, "reason": WHY}, 2, "ola.operator")


def test_a_customers_level_impact(
    kinds: dict[str, Applier], services: Services, clock: FrozenClock
) -> None:
    moved(services, clock, "1500.00", 3)
    moved(services, clock, "400.00", 2)
    moved(services, clock, "1500.00", 3, customer="C004")  # someone else
    after: dict[str, Any] = {"level": 1, "reason": WHY}
    assert rows(
        kinds["customer.kyc_level"].impact("C001", None, after, clock() - timedelta(days=30))
    ) == [
        ("per-transaction limit", 2, 0, 1),  # level 1: 500 a transfer
        ("daily limit", 2, 0, 0),
        ("monthly limit", 2, 0, 0),
    ]


def test_the_reader_pages_through_the_audit_and_says_where_a_cap_stopped_it(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay_module, "PAGE", 2)
    for hours_ago in (5, 4, 3, 2, 1):
        moved(services, clock, f"{hours_ago}00.00", hours_ago)
    since = clock() - timedelta(days=30)
    history = MovementReader(services.auth.audit, clock).since(since)
    assert [m.amount for m in history.movements] == [Decimal(f"{h}00") for h in (5, 4, 3, 2, 1)]
    assert history.capped_at is None
    capped = MovementReader(services.auth.audit, clock, max_entries=3).since(since)
    assert [m.amount for m in capped.movements] == [Decimal("300"), Decimal("200"), Decimal("100")]
    assert capped.capped_at == clock() - timedelta(hours=3)
