"""The console's one write path (``admin.console.scenario_changes.change``) on the real service
and Redis: each kind applied with the actor audited, a stale version refusing and changing
nothing, and a change without the version it was read at refused outright."""

from __future__ import annotations

import pytest

from admin.console.scenario_changes import Conflict, change
from admin.console.scenario_forms import scenario_data, scenario_values
from app import Services
from auth.scenarios.model import Status
from auth.scenarios.store import NotFound
from auth.scenarios.validate import Invalid
from tests.unit.test_console_scenario_forms import form, monetary

OWN_ACCOUNTS = "oob16"  # TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE, value based above 1000.00


def events(services: Services) -> list[tuple[str, str]]:
    """The MFA changes audited, oldest first, with who made each."""
    return [
        (e.fields["event"], e.fields.get("actor", ""))
        for e in reversed(services.scenarios.audit.entries())
        if e.fields["event"].startswith("mfa.")
    ]


def test_create_update_status_and_delete_as_the_staff_member(services: Services) -> None:
    service = services.scenarios
    created = change(
        services.changes,
        service,
        "scenario.create",
        "",
        scenario_data(monetary(), creating=True),
        None,
        "ada",
    )
    scenario = created.scenario
    assert created.applied and scenario is not None and scenario.created_by == "ada"
    values = {**scenario_values(scenario), "value_above": "300.00"}
    updated = change(
        services.changes,
        service,
        "scenario.update",
        scenario.scenario_id,
        scenario_data(form(**values), creating=False),
        scenario.version,
        "ada",
    ).scenario
    assert updated is not None and str(updated.spec.value_above) == "300.00"
    off = change(
        services.changes,
        service,
        "scenario.deactivate",
        scenario.scenario_id,
        {},
        updated.version,
        "ada",
    )
    assert off.scenario is not None and off.scenario.spec.status is Status.INACTIVE
    change(
        services.changes,
        service,
        "scenario.delete",
        scenario.scenario_id,
        {},
        off.scenario.version,
        "ada",
    )
    with pytest.raises(NotFound):
        service.get(scenario.scenario_id)
    assert events(services) == [
        ("mfa.scenario.create", "ada"),
        ("mfa.scenario.update", "ada"),
        ("mfa.scenario.deactivate", "ada"),
        ("mfa.scenario.delete", "ada"),
    ]


def test_a_stale_version_changes_nothing(services: Services) -> None:
    service = services.scenarios
    read = service.get(OWN_ACCOUNTS)
    values = scenario_data(form(**{**scenario_values(read), "value_above": "5.00"}), creating=False)
    change(services.changes, service, "scenario.update", OWN_ACCOUNTS, values, read.version, "ada")
    other = scenario_data(form(**{**scenario_values(read), "value_above": "9.00"}), creating=False)
    with pytest.raises(Conflict) as stale:
        change(
            services.changes, service, "scenario.update", OWN_ACCOUNTS, other, read.version, "bob"
        )
    assert stale.value.version == read.version + 1
    with pytest.raises(Conflict):
        change(services.changes, service, "scenario.delete", OWN_ACCOUNTS, {}, read.version, "bob")
    assert str(service.get(OWN_ACCOUNTS).spec.value_above) == "5.00"
    assert [actor for _, actor in events(services)] == ["ada"]


def test_no_version_no_change(services: Services) -> None:
    with pytest.raises(ValueError, match="version"):
        change(
            services.changes, services.scenarios, "scenario.activate", OWN_ACCOUNTS, {}, None, "ada"
        )
    with pytest.raises(ValueError, match="unknown change"):
        change(services.changes, services.scenarios, "scenario.rename", OWN_ACCOUNTS, {}, 1, "ada")
    assert events(services) == []


def test_a_duplicate_is_refused_by_the_service_rule(services: Services) -> None:
    data = scenario_data(
        monetary(application="Retail Banking", action="TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE"),
        creating=True,
    )
    with pytest.raises(Invalid) as refused:
        change(services.changes, services.scenarios, "scenario.create", "", data, None, "ada")
    assert any(p.startswith("action: Retail Banking already has") for p in refused.value.problems)


def test_the_configuration(services: Services) -> None:
    service = services.scenarios
    _, version = service.config_versioned()
    data = {
        "enabled_types": ["sms_code", "email_code"],
        "code_length": 8,
        "code_expiry_seconds": 120,
        "max_attempts": 3,
        "default_primary": "sms_code",
        "default_backup": "email_code",
        "default_non_monetary": "none",
    }
    changed = change(services.changes, service, "mfa_config.put", "", data, version, "ada")
    assert changed.config is not None and changed.config.code_length == 8
    assert changed.config_version == version + 1
    with pytest.raises(Conflict):
        change(services.changes, service, "mfa_config.put", "", data, version, "bob")
    assert events(services) == [("mfa.config.update", "ada")]
