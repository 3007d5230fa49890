"""MFA scenarios and the MFA configuration in Redis, on the private real Redis and on fakeredis
(the embedded default): create, read, edit, delete; one scenario per application and action and
descriptions unique however they are spelt, also when staff save at the same moment; the
out-of-the-box scenarios stored once; the configuration's bounds and its safe fallback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from redis import Redis

from app import Config, build_services
from auth.scenarios.codec import config_to_dict, scenario_to_dict, spec_to_dict
from auth.scenarios.config import CONFIG_KEY, MfaConfigStore, parse_config
from auth.scenarios.model import (
    ACTIONS,
    CHAT_APPLICATION,
    ChallengeType,
    DefaultRule,
    MfaConfig,
    Status,
)
from auth.scenarios.seed import default_scenarios
from auth.scenarios.service import ScenarioService
from auth.scenarios.store import SCENARIOS_KEY, SEEDED_KEY, NotFound
from auth.scenarios.validate import Invalid, parse_spec
from auth.stores.audit import AuditLog
from tests.fakes import FrozenClock

ALL = tuple(ChallengeType)
CLASH = "action: Retail Banking already has a scenario for BILL_PAY_CREATE"
SAME_DESCRIPTION = "description: another scenario already has this description"


@pytest.fixture
def r(store_redis: Redis) -> Redis:
    """An empty Redis: single, fakeredis, Sentinel-managed or Cluster (``store_redis``)."""
    return store_redis


@pytest.fixture
def service(r: Redis, clock: FrozenClock) -> ScenarioService:
    return ScenarioService.build(r, clock)


def bill_pay(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application": "Retail Banking",
        "action": "BILL_PAY_CREATE",
        "scenario_type": "monetary",
        "frequency": "value_based",
        "value_above": "1000.00",
        "description": "Bill pay over a thousand",
        "primary_challenge": "authenticator_app",
        "backup_challenge": "security_questions",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def refused(call: Callable[[], object]) -> list[str]:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.problems


# --- create, read, edit, delete ---


def test_create_get_update_delete(service: ScenarioService, clock: FrozenClock) -> None:
    created = service.create(bill_pay(), by="ada")
    assert created.created_by == created.updated_by == "ada"
    assert created.created_at == created.updated_at == clock.now
    assert service.get(created.scenario_id) == created
    assert service.find() == [created]

    clock.advance(minutes=3)
    updated = service.update(created.scenario_id, {"value_above": "750.50"}, by="grace")
    assert updated.spec.value_above is not None and str(updated.spec.value_above) == "750.50"
    assert (updated.created_by, updated.created_at) == ("ada", created.created_at)
    assert (updated.updated_by, updated.updated_at) == ("grace", clock.now)
    assert service.get(created.scenario_id) == updated

    paused = service.set_status(created.scenario_id, Status.INACTIVE, by="grace")
    assert paused.spec.status is Status.INACTIVE
    assert service.find(status=Status.ACTIVE) == []
    assert service.find(status=Status.INACTIVE, search="over a THOUSAND") == [paused]
    assert service.find(search="bill_pay") == [paused]
    assert service.find(search="wire") == []

    assert service.delete(created.scenario_id, by="ada") == paused
    with pytest.raises(NotFound):
        service.get(created.scenario_id)
    with pytest.raises(NotFound):
        service.update(created.scenario_id, {}, by="ada")
    with pytest.raises(NotFound):
        service.set_status(created.scenario_id, Status.ACTIVE, by="ada")
    with pytest.raises(NotFound):
        service.delete(created.scenario_id, by="ada")


def test_an_update_is_checked_as_a_whole(service: ScenarioService) -> None:
    created = service.create(bill_pay(), by="ada")
    # Switching to "always" leaves a value_above behind unless it is cleared too.
    assert refused(lambda: service.update(created.scenario_id, {"frequency": "always"}, "ada")) == [
        "value_above: only for value_based frequency"
    ]
    always = service.update(
        created.scenario_id, {"frequency": "always", "value_above": None}, by="ada"
    )
    assert always.spec.value_above is None
    problems = refused(
        lambda: service.update(created.scenario_id, {"description": "!", "id": "x"}, "ada")
    )
    assert [p.split(":")[0] for p in problems] == ["id", "description"]
    assert service.get(created.scenario_id) == always


def test_every_change_is_audited_with_actor_before_and_after(
    service: ScenarioService, r: Redis
) -> None:
    created = service.create(bill_pay(), by="ada")
    service.update(created.scenario_id, {"value_above": "5.00"}, by="grace")
    service.delete(created.scenario_id, by="ada")
    entries = AuditLog(r).entries()
    assert [e.fields["event"] for e in entries] == [
        "mfa.scenario.delete",
        "mfa.scenario.update",
        "mfa.scenario.create",
    ]
    delete, update, create = (e.fields for e in entries)
    assert (create["actor"], create["before"]) == ("ada", "")
    assert json.loads(create["after"])["value_above"] == "1000.00"
    assert update["actor"] == "grace"
    assert json.loads(update["before"])["value_above"] == "1000.00"
    assert json.loads(update["after"])["value_above"] == "5.00"
    assert json.loads(delete["before"])["id"] == created.scenario_id and delete["after"] == ""
    assert {e.fields["channel"] for e in entries} == {"admin"}


# --- uniqueness ---


def test_one_scenario_per_application_and_action(service: ScenarioService) -> None:
    first = service.create(bill_pay(), by="ada")
    problems = refused(lambda: service.create(bill_pay(description="Another"), by="ada"))
    assert problems == [f"{CLASH} (Bill pay over a thousand)"]
    # The same action for another application is another scenario.
    business = service.create(
        bill_pay(application="Business Banking", description="Business bills"), by="ada"
    )
    assert {s.scenario_id for s in service.find()} == {first.scenario_id, business.scenario_id}


def test_an_update_into_a_clash_is_refused(service: ScenarioService) -> None:
    service.create(bill_pay(), by="ada")
    wire = service.create(
        bill_pay(action="DOMESTIC_WIRE_TRANSFER_CREATE", description="Wires"), by="ada"
    )
    assert refused(
        lambda: service.update(wire.scenario_id, {"action": "BILL_PAY_CREATE"}, by="ada")
    ) == [f"{CLASH} (Bill pay over a thousand)"]
    assert refused(
        lambda: service.update(wire.scenario_id, {"description": "bill pay over a thousand"}, "x")
    ) == [SAME_DESCRIPTION]
    assert service.get(wire.scenario_id) == wire
    # Keeping its own description (in another spelling) is no clash with itself.
    renamed = service.update(wire.scenario_id, {"description": "WIRES"}, by="ada")
    assert renamed.spec.description == "WIRES"


@pytest.mark.parametrize(
    "description",
    ["bill pay over a thousand", "BILL PAY OVER A THOUSAND", "Bill  pay   over a  thousand"],
)
def test_descriptions_are_unique_ignoring_case_and_extra_spaces(
    service: ScenarioService, description: str
) -> None:
    service.create(bill_pay(), by="ada")
    other = bill_pay(action="P2P_CREATE", description=description)
    assert refused(lambda: service.create(other, by="ada")) == [SAME_DESCRIPTION]


def test_both_clashes_at_once_give_two_messages(service: ScenarioService) -> None:
    service.create(bill_pay(), by="ada")
    assert refused(lambda: service.create(bill_pay(), by="ada")) == [
        f"{CLASH} (Bill pay over a thousand)",
        SAME_DESCRIPTION,
    ]


def race(service: ScenarioService, bodies: list[dict[str, Any]]) -> list[str]:
    """Create every body at once from its own thread; the ids that were stored."""
    barrier = threading.Barrier(len(bodies))
    stored: list[str] = []
    errors: list[BaseException] = []

    def attempt(body: dict[str, Any]) -> None:
        barrier.wait()
        try:
            stored.append(service.create(body, by="racer").scenario_id)
        except Invalid:
            pass
        except BaseException as exc:  # anything else fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return stored


def test_clashing_creates_at_the_same_moment_store_exactly_one(service: ScenarioService) -> None:
    for round_, action in enumerate(["BILL_PAY_CREATE", "P2P_CREATE", "ACH_PAYMENT_CREATE"]):
        same_action = [bill_pay(action=action, description=f"Racer {round_} {i}") for i in range(8)]
        stored = race(service, same_action)
        assert len(stored) == 1
        assert [s.scenario_id for s in service.find(search=action)] == stored
    spellings = [
        "Racing description",
        "racing  DESCRIPTION",
        " Racing Description",
        "RACING description",
    ]
    actions = [
        "DOMESTIC_WIRE_TRANSFER_CREATE",
        "INTERNATIONAL_WIRE_TRANSFER_CREATE",
        "ACH_COLLECTION_CREATE",
        "ACH_FILE_UPLOAD",
    ]
    same_description = [
        bill_pay(action=action, description=spelling)
        for action, spelling in zip(actions, spellings, strict=True)
    ]
    assert len(race(service, same_description)) == 1
    assert len(service.find()) == 4


# --- the out-of-the-box scenarios ---


def test_the_21_seeded_scenarios_pass_every_rule(clock: FrozenClock) -> None:
    seeded = default_scenarios("Demo Bank", clock.now)
    assert len(seeded) == 21
    assert {s.spec.action for s in seeded} == set(ACTIONS)
    assert {s.spec.application for s in seeded} == {CHAT_APPLICATION}
    for scenario in seeded:
        assert parse_spec(spec_to_dict(scenario.spec), ALL) == scenario.spec, scenario.spec.action
    descriptions = {" ".join(s.spec.description.split()).casefold() for s in seeded}
    assert len(descriptions) == 21
    assert [s.spec.action for s in seeded if not s.spec.active] == ["LOGIN"]


def test_seeding_happens_once(service: ScenarioService, r: Redis) -> None:
    assert service.seed("Demo Bank") is True
    assert len(service.find()) == 21
    gone = service.find(search="BILL_PAY_CREATE")[0]
    service.delete(gone.scenario_id, by="ada")
    # A restart (a new service on the same Redis) doesn't bring it back.
    assert ScenarioService.build(r, FrozenClock()).seed("Demo Bank") is False
    assert len(service.find()) == 20
    assert service.find(search="BILL_PAY_CREATE") == []
    assert r.get(SEEDED_KEY)


def test_processes_starting_together_seed_once(r: Redis, clock: FrozenClock) -> None:
    services = [ScenarioService.build(r, clock) for _ in range(6)]
    barrier = threading.Barrier(len(services))
    results: list[bool] = []

    def start(service: ScenarioService) -> None:
        barrier.wait()
        results.append(service.seed("Demo Bank"))

    threads = [threading.Thread(target=start, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False] * 5 + [True]
    assert r.hlen(SCENARIOS_KEY) == 21


def test_a_late_seed_keeps_what_staff_already_made(service: ScenarioService) -> None:
    # Redis was down at first start; staff made a scenario before the next start seeded.
    own = service.create(bill_pay(description="Retail Banking Bill Pay"), by="ada")
    assert service.seed("Demo Bank") is True
    stored = service.find()
    assert len(stored) == 21
    assert [s for s in stored if s.spec.action == "BILL_PAY_CREATE"] == [own]


def test_a_restarted_app_does_not_seed_again(config: Config, clock: FrozenClock) -> None:
    first = build_services(config, clock=clock)
    try:
        seeded = first.scenarios.find()
        assert len(seeded) == 21
        first.scenarios.delete(seeded[0].scenario_id, by="ada")
    finally:
        first.close()
    again = build_services(config, clock=clock)
    try:
        assert len(again.scenarios.find()) == 20
    finally:
        again.close()


# --- the MFA configuration ---


def config_body(**changes: Any) -> dict[str, Any]:
    body = config_to_dict(MfaConfig())
    body.update(changes)
    return body


def test_the_defaults_are_the_safe_ones(r: Redis) -> None:
    config = MfaConfigStore(r).get()
    assert config == MfaConfig()
    assert (config.code_length, config.code_expiry_seconds, config.max_attempts) == (6, 300, 5)
    assert config.default_non_monetary is DefaultRule.CHALLENGE
    assert parse_config(config_body()) == MfaConfig()


@pytest.mark.parametrize(
    ("name", "good", "bad", "message"),
    [
        ("code_length", [6, 7, 8], [5, 9, 0, "6", 6.0, True, None], "a whole number from 6 to 8"),
        (
            "code_expiry_seconds",
            [60, 120, 300],
            [59, 301, -1, "300", None],
            "a whole number from 60 to 300",
        ),
        ("max_attempts", [1, 3, 5], [0, 6, "5", False], "a whole number from 1 to 5"),
    ],
)
def test_config_bounds(name: str, good: list[Any], bad: list[Any], message: str) -> None:
    for value in good:
        assert config_to_dict(parse_config(config_body(**{name: value})))[name] == value
    for value in bad:
        with pytest.raises(Invalid) as caught:
            parse_config(config_body(**{name: value}))
        assert caught.value.problems == [f"{name}: {message}"], value


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"enabled_types": []}, "enabled_types: a non-empty list from: "),
        ({"enabled_types": "sms_code"}, "enabled_types: a non-empty list from: "),
        ({"enabled_types": ["sms_code", "fax"]}, "enabled_types: each one of: "),
        (
            {"enabled_types": ["sms_code", "sms_code", "email_code"]},
            "enabled_types: each type at most once",
        ),
        (
            {"enabled_types": ["email_code", "authenticator_app"]},
            "default_primary: sms_code is not an enabled challenge type",
        ),
        (
            {"enabled_types": ["sms_code"]},
            "default_backup: only one challenge type is enabled: no backup",
        ),
        ({"default_backup": "sms_code"}, "default_backup: must differ from default_primary"),
        ({"default_non_monetary": "maybe"}, "default_non_monetary: required, one of: "),
        ({"colour": "red"}, "colour: unknown field"),
    ],
)
def test_config_rules(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_config(config_body(**changes))
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(message)


def test_config_put_and_get(r: Redis) -> None:
    store = MfaConfigStore(r)
    chosen = parse_config(
        config_body(
            enabled_types=["authenticator_app"],
            code_length=8,
            code_expiry_seconds=120,
            max_attempts=3,
            default_primary="authenticator_app",
            default_backup=None,
            default_non_monetary="none",
        )
    )
    assert store.put(chosen) == (MfaConfig(), chosen, 1)  # what it replaced, stored, version
    assert store.get() == chosen
    assert store.put(MfaConfig()) == (chosen, MfaConfig(), 2)


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "",
        "null",
        '"sms_code"',
        "[1, 2]",
        '["enabled_types"]',
        "42",
        '{"code_length": 99}',
        json.dumps(config_body(code_length=4)),
        json.dumps(config_body(max_attempts=50, code_expiry_seconds=86400)),
        json.dumps(config_body(enabled_types=["carrier_pigeon"])),
    ],
)
def test_a_corrupt_stored_config_falls_back_to_the_safe_defaults(
    r: Redis, stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    r.set(CONFIG_KEY, stored)
    assert MfaConfigStore(r).get() == MfaConfig()
    assert "safe defaults" in caplog.text
    # And replacing it still works, reporting the safe defaults as what was replaced.
    assert MfaConfigStore(r).put(MfaConfig(code_length=7))[0] == MfaConfig()


def test_put_config_is_audited(service: ScenarioService, r: Redis) -> None:
    service.put_config(config_body(code_length=8), by="ada")
    entry = AuditLog(r).entries(event="mfa.config.update")[0].fields
    assert entry["actor"] == "ada"
    assert json.loads(entry["before"])["code_length"] == 6
    assert json.loads(entry["after"])["code_length"] == 8
    assert service.config().code_length == 8


def test_stored_scenarios_round_trip(service: ScenarioService, r: Redis) -> None:
    created = service.create(bill_pay(), by="ada")
    raw = r.hget(SCENARIOS_KEY, created.scenario_id)
    assert json.loads(raw) == scenario_to_dict(created)
