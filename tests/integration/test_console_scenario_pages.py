"""The MFA Scenarios pages through the real app on real Redis with the Flask test client: what
each role may see and post (a viewer's posts refused with 403 and nothing changed), create and
edit refusing bad input with nothing saved, a stale version answered 409 with nothing
overwritten, the list's filters, the preview endpoint (CSRF header required), the MFA
configuration form and the dry-run. The browser tests drive the same pages in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from admin.console.scenario_forms import scenario_values
from app import Services
from auth.scenarios.model import Status
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock

OWN_ACCOUNTS = "oob16"  # TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE, value based above 1000.00
LOGIN = "oob17"  # ships inactive
SMS = "Demo Bank: {otp} to send {transfer_amount} to {payee_name}"


@pytest.fixture
def admin(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    return console_as(app, services, clock, "admin", "ada")[0]


@pytest.fixture
def viewer(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    return console_as(app, services, clock, "viewer", "vic")[0]


def new_scenario(**changes: str) -> dict[str, Any]:
    fields = {
        "status": "active",
        "application": "Business Banking",
        "scenario_type": "monetary",
        "action": "BILL_PAY_CREATE",
        "frequency": "value_based",
        "value_above": "250.00",
        "activity_type": "",
        "description": "Business bill pay",
        "primary_challenge": "sms_code",
        "backup_challenge": "email_code",
        "sms_template": SMS,
        "email_template": "Your code {otp} for {transfer_amount} to {payee_name}",
    }
    return {**fields, **changes}


def text(console: ConsoleClient) -> str:
    assert console.last is not None
    return console.last.get_data(as_text=True)


def test_a_viewer_reads_but_sees_no_change_and_posts_get_403(
    viewer: ConsoleClient, services: Services
) -> None:
    page = viewer.get("/admin/scenarios")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "TRANSFER_<wbr>BETWEEN" in body and "Create Scenario" not in body
    assert "/edit" not in body and "/delete" not in body and "/deactivate" not in body
    detail = viewer.get(f"/admin/scenarios/{OWN_ACCOUNTS}").get_data(as_text=True)
    assert "Edit" not in detail and "Delete" not in detail
    assert viewer.get("/admin/mfa-config").status_code == 200
    assert 'name="code_length"' not in text(viewer)
    assert viewer.get("/admin/scenarios/dry-run").status_code == 200
    for path in ("/admin/scenarios/new", f"/admin/scenarios/{OWN_ACCOUNTS}/edit",
                 f"/admin/scenarios/{OWN_ACCOUNTS}/delete"):  # fmt: skip
        assert viewer.get(path).status_code == 403, path
    before = services.scenarios.store.all()
    for path, data in (
        ("/admin/scenarios/new", new_scenario()),
        (f"/admin/scenarios/{OWN_ACCOUNTS}/edit", {"version": "1", "description": "Mine"}),
        (f"/admin/scenarios/{OWN_ACCOUNTS}/deactivate", {"version": "1"}),
        (f"/admin/scenarios/{LOGIN}/activate", {"version": "1"}),
        (f"/admin/scenarios/{OWN_ACCOUNTS}/delete", {"version": "1"}),
        ("/admin/mfa-config", {"version": "0", "code_length": "8"}),
        ("/admin/scenarios/preview", {}),
    ):
        assert viewer.post(path, data).status_code == 403, path
    assert services.scenarios.store.all() == before


def test_a_post_without_the_csrf_token_is_refused(admin: ConsoleClient, services: Services) -> None:
    admin.get("/admin/scenarios")
    response = admin.client.post(
        f"/admin/scenarios/{OWN_ACCOUNTS}/deactivate", data={"version": "1"}
    )
    assert response.status_code == 400
    assert services.scenarios.get(OWN_ACCOUNTS).spec.status is Status.ACTIVE


def test_create_then_the_detail(admin: ConsoleClient, services: Services) -> None:
    admin.get("/admin/scenarios/new")
    response = admin.post("/admin/scenarios/new", new_scenario())
    assert response.status_code == 303
    created = [
        s for s in services.scenarios.store.all() if s.spec.description == "Business bill pay"
    ]
    assert len(created) == 1 and created[0].created_by == "ada"
    assert response.headers["Location"].endswith(f"/admin/scenarios/{created[0].scenario_id}")
    detail = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created: Business bill pay." in detail and "USD 250.00" in detail
    assert "by ada" in detail and "Version</dt><dd>1" in detail
    audited = services.scenarios.audit.entries(event="mfa.scenario.create")
    assert audited[0].fields["actor"] == "ada"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("application", "", "required: choose one from the list"),
        ("action", "", "required: choose one from the list"),
        ("scenario_type", "non_monetary", "BILL_PAY_CREATE is monetary"),
        ("frequency", "", "required: choose one from the list"),
        ("value_above", "0", "must be more than 0"),
        ("value_above", "1000000000000", "must be at most 999999999999"),
        ("value_above", "10.005", "at most 2 decimal places"),
        ("description", "", "required"),
        ("description", "Bill pay!", "use only letters, digits and spaces"),
        ("description", "x" * 101, "at most 100 characters"),
        ("description", "Retail Banking Bill Pay", "another scenario already has this description"),
        ("backup_challenge", "sms_code", "must differ from primary_challenge"),
        ("sms_template", "Code {otp}", "must include {transfer_amount}, {payee_name}"),
        ("email_template", "{pin} {otp}", "unknown variable {pin}"),
    ],
)
def test_each_invalid_field_is_refused_beside_it_and_nothing_saved(
    admin: ConsoleClient, services: Services, field: str, value: str, message: str
) -> None:
    before = services.scenarios.store.all()
    admin.get("/admin/scenarios/new")
    response = admin.post("/admin/scenarios/new", new_scenario(**{field: value}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    errors = body.split(f'id="{field}-errors"', 1)[1].split("</ul>", 1)[0]
    assert message in errors.replace("&#39;", "'").replace("&amp;", "&")
    assert 'aria-invalid="true"' in body
    assert services.scenarios.store.all() == before


def test_a_duplicate_is_refused_beside_the_action(admin: ConsoleClient, services: Services) -> None:
    before = services.scenarios.store.all()
    admin.get("/admin/scenarios/new")
    duplicate = new_scenario(application="Retail Banking", description="Another bill pay")
    response = admin.post("/admin/scenarios/new", duplicate)
    assert response.status_code == 422
    errors = response.get_data(as_text=True).split('id="action-errors"', 1)[1]
    assert "Retail Banking already has a scenario for BILL_PAY_CREATE" in errors
    assert services.scenarios.store.all() == before


def test_preview_saves_nothing_and_shows_sample_values(
    admin: ConsoleClient, services: Services
) -> None:
    before = services.scenarios.store.all()
    admin.get("/admin/scenarios/new")
    response = admin.post("/admin/scenarios/new", {**new_scenario(), "preview": "1"})
    assert response.status_code == 200
    assert "Demo Bank: 482913 to send USD 150.00 to Chidi Okeke" in response.get_data(as_text=True)
    assert services.scenarios.store.all() == before


def test_the_live_preview_endpoint(admin: ConsoleClient) -> None:
    admin.get("/admin/scenarios/new")
    body = {"field": "sms_template", "template": "{otp} from {account_number}"}
    refused = admin.client.post("/admin/scenarios/preview", json=body)
    assert refused.status_code == 400  # no CSRF header
    shown = admin.client.post(
        "/admin/scenarios/preview", json=body, headers={"X-CSRFToken": admin.csrf}
    )
    assert shown.get_json() == {"text": "482913 from ••6789", "problems": []}
    broken = admin.client.post(
        "/admin/scenarios/preview",
        json={"field": "sms_template", "template": "{nope"},
        headers={"X-CSRFToken": admin.csrf},
    )
    assert broken.get_json()["text"] == "" and broken.get_json()["problems"]


def edit_form(
    services: Services, scenario_id: str, version: int | None = None, **changes: str
) -> dict[str, Any]:
    stored = services.scenarios.get(scenario_id)
    values: dict[str, Any] = {**scenario_values(stored), **changes}
    values["version"] = str(stored.version if version is None else version)
    return values


def test_edit_saves_and_a_stale_version_gets_the_conflict(
    admin: ConsoleClient, services: Services
) -> None:
    admin.get(f"/admin/scenarios/{OWN_ACCOUNTS}/edit")
    first = edit_form(services, OWN_ACCOUNTS, value_above="2000.00")
    late = edit_form(services, OWN_ACCOUNTS, value_above="50.00")
    assert admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/edit", first).status_code == 303
    response = admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/edit", late)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "someone changed this scenario while you were editing it" in body
    assert 'name="version" value="2"' in body and 'value="2000.00"' in body
    assert "50.00" in body.split('id="conflict"', 1)[1].split("</table>", 1)[0]
    assert str(services.scenarios.get(OWN_ACCOUNTS).spec.value_above) == "2000.00"


def test_an_edit_without_its_version_is_refused(admin: ConsoleClient, services: Services) -> None:
    admin.get(f"/admin/scenarios/{OWN_ACCOUNTS}/edit")
    values = edit_form(services, OWN_ACCOUNTS, value_above="5.00")
    del values["version"]
    assert admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/edit", values).status_code == 400
    assert services.scenarios.get(OWN_ACCOUNTS).version == 1


def test_an_invalid_edit_keeps_what_was_typed(admin: ConsoleClient, services: Services) -> None:
    admin.get(f"/admin/scenarios/{OWN_ACCOUNTS}/edit")
    values = edit_form(services, OWN_ACCOUNTS, value_above="-3", description="Kept as typed")
    response = admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/edit", values)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="-3"' in body and 'value="Kept as typed"' in body
    assert services.scenarios.get(OWN_ACCOUNTS).version == 1


def test_status_and_delete_carry_the_version(admin: ConsoleClient, services: Services) -> None:
    admin.get("/admin/scenarios")
    back = "/admin/scenarios?status=active"
    response = admin.post(
        f"/admin/scenarios/{OWN_ACCOUNTS}/deactivate", {"version": "1", "back": back}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(back)
    assert services.scenarios.get(OWN_ACCOUNTS).spec.status is Status.INACTIVE
    stale = admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/activate", {"version": "1"})
    assert stale.status_code == 409 and "Nothing was changed" in stale.get_data(as_text=True)
    assert services.scenarios.get(OWN_ACCOUNTS).spec.status is Status.INACTIVE
    assert (
        admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/delete", {"version": "1"}).status_code == 409
    )
    confirm = admin.get(f"/admin/scenarios/{OWN_ACCOUNTS}/delete").get_data(as_text=True)
    assert "Delete this scenario?" in confirm and 'name="version" value="2"' in confirm
    assert (
        admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/delete", {"version": "2"}).status_code == 303
    )
    assert OWN_ACCOUNTS not in {s.scenario_id for s in services.scenarios.store.all()}
    assert admin.get(f"/admin/scenarios/{OWN_ACCOUNTS}").status_code == 404
    gone = admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/activate", {"version": "2"})
    assert gone.status_code == 404


def test_the_list_filters_and_search(admin: ConsoleClient) -> None:
    inactive = admin.get("/admin/scenarios?status=inactive").get_data(as_text=True)
    assert "1 of 21 scenarios match" in inactive and ">LOGIN<" in inactive
    search = admin.get("/admin/scenarios?q=card+management").get_data(as_text=True)
    assert "6 of 21 scenarios match" in search
    none = admin.get("/admin/scenarios?application=Consumer+Lending").get_data(as_text=True)
    assert "No scenario matches" in none and "show every scenario" in none
    bad = admin.get("/admin/scenarios?status=maybe")
    assert bad.status_code == 400 and 'id="status-errors"' in bad.get_data(as_text=True)


def config_form(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "enabled_types": ["sms_code", "email_code", "authenticator_app", "security_questions"],
        "code_length": "6",
        "code_expiry_seconds": "300",
        "max_attempts": "5",
        "default_primary": "sms_code",
        "default_backup": "email_code",
        "default_non_monetary": "challenge",
        "version": "0",
    }
    return {**fields, **changes}


def test_the_mfa_configuration_form(admin: ConsoleClient, services: Services) -> None:
    admin.get("/admin/mfa-config")
    bad = admin.post("/admin/mfa-config", config_form(code_length="9", enabled_types=[]))
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert 'id="code_length-errors"' in body and 'id="enabled_types-errors"' in body
    assert services.scenarios.config_versioned()[1] == 0
    assert admin.post("/admin/mfa-config", config_form(code_length="8")).status_code == 303
    assert services.scenarios.config().code_length == 8
    stale = admin.post("/admin/mfa-config", config_form(code_length="7"))
    assert stale.status_code == 409 and 'name="version" value="1"' in stale.get_data(as_text=True)
    assert services.scenarios.config().code_length == 8


def test_the_dry_run(admin: ConsoleClient) -> None:
    asked = admin.get(
        "/admin/scenarios/dry-run?application=Retail+Banking"
        "&action=TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE&amount=1500.00&enrolled=email_code"
    ).get_data(as_text=True)
    assert "Challenge required: Secure access code by email" in asked
    assert f"/admin/scenarios/{OWN_ACCOUNTS}" in asked and "1500.00 is more than 1000.00" in asked
    below = admin.get(
        "/admin/scenarios/dry-run?application=Retail+Banking"
        "&action=TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE&amount=10&enrolled=sms_code"
    ).get_data(as_text=True)
    assert "No challenge" in below
    bad = admin.get("/admin/scenarios/dry-run?application=Mars&action=&amount=x")
    assert bad.status_code == 400 and 'id="amount-errors"' in bad.get_data(as_text=True)


def test_with_one_type_enabled_the_backup_is_not_applicable(
    admin: ConsoleClient, services: Services
) -> None:
    _, version = services.scenarios.config_versioned()
    only_sms = config_form(enabled_types=["sms_code"], default_backup="", version=str(version))
    admin.get("/admin/mfa-config")
    assert admin.post("/admin/mfa-config", only_sms).status_code == 303
    form = admin.get("/admin/scenarios/new").get_data(as_text=True)
    assert "Not applicable: only Secure access code by SMS is enabled" in form
    assert 'name="backup_challenge"' not in form
    admin.post("/admin/scenarios/new", new_scenario(backup_challenge="", email_template=""))
    assert admin.last is not None and admin.last.status_code == 303
    created = [
        s for s in services.scenarios.store.all() if s.spec.description == "Business bill pay"
    ]
    assert created[0].spec.backup_challenge is None
    # A stored type no longer enabled stays shown (marked), and saving it is refused beside it.
    edit = admin.get(f"/admin/scenarios/{OWN_ACCOUNTS}/edit").get_data(as_text=True)
    assert "Secure access code by email (not enabled)" not in edit  # its backup isn't shown
    values = edit_form(services, OWN_ACCOUNTS, primary_challenge="email_code", backup_challenge="")
    refused = admin.post(f"/admin/scenarios/{OWN_ACCOUNTS}/edit", values)
    assert refused.status_code == 422
    assert "email_code is not an enabled challenge type" in refused.get_data(as_text=True)


def test_with_four_eyes_an_edit_waits_for_another_admin(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    """The pages' one write path goes through four eyes: the edit is held (the scenario as it
    was, the page says so), its author can't approve it, a second admin can."""
    services.changes.four_eyes = True
    author, _ = console_as(app, services, clock, "admin", "ada.author")
    second, _ = console_as(app, services, clock, "admin", "bea.second")
    author.get(f"/admin/scenarios/{OWN_ACCOUNTS}/edit")
    held = author.post(
        f"/admin/scenarios/{OWN_ACCOUNTS}/edit",
        edit_form(services, OWN_ACCOUNTS, value_above="5.00"),
    )
    assert held.status_code == 303
    assert "Sent for approval" in author.get(held.headers["Location"]).get_data(as_text=True)
    assert str(services.scenarios.get(OWN_ACCOUNTS).spec.value_above) != "5.00"
    [pending] = services.changes.pending()
    author.get(f"/admin/approvals/{pending.change_id}")
    refused = author.post(f"/admin/approvals/{pending.change_id}/approve")
    assert refused.status_code in (403, 409)
    assert str(services.scenarios.get(OWN_ACCOUNTS).spec.value_above) != "5.00"
    second.get(f"/admin/approvals/{pending.change_id}")
    approved = second.post(f"/admin/approvals/{pending.change_id}/approve")
    assert approved.status_code in (302, 303), approved.headers.get("Location")
    assert "/admin/login" not in approved.headers["Location"]
    scenario = services.scenarios.get(OWN_ACCOUNTS)
    assert str(scenario.spec.value_above) == "5.00"
    assert scenario.updated_by == "ada.author, approved by bea.second"


def test_with_four_eyes_the_reason_typed_goes_to_the_approver(
    app: Flask, services: Services, clock: FrozenClock
) -> None:
    services.changes.four_eyes = True
    author, _ = console_as(app, services, clock, "admin", "ada.author")
    form = author.get(f"/admin/scenarios/{OWN_ACCOUNTS}/edit").get_data(as_text=True)
    assert 'name="change_reason"' in form
    values = {
        **edit_form(services, OWN_ACCOUNTS, value_above="5.00"),
        "change_reason": "  Fraud team  asks for a lower threshold ",
    }
    assert author.post(f"/admin/scenarios/{OWN_ACCOUNTS}/edit", values).status_code == 303
    [pending] = services.changes.pending()
    assert pending.reason == "Fraud team asks for a lower threshold"
