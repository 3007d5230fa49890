"""The scenario pages' forms read into the service's dicts (and its problems laid out beside
their fields): pure, with the service's own rules run on the result where it matters."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from admin.console.render import by_field
from admin.console.scenario_forms import (
    EDIT_FIELDS,
    asked,
    config_data,
    config_values,
    dry_run_question,
    dry_run_values,
    for_people,
    list_filters,
    preview,
    read_version,
    scenario_data,
    scenario_values,
    typed_values,
)
from auth.scenarios.config import parse_config
from auth.scenarios.model import (
    Application,
    ChallengeType,
    Frequency,
    MfaConfig,
    Scenario,
    ScenarioType,
    Status,
)
from auth.scenarios.validate import SPEC_FIELDS, Invalid, parse_spec

ALL = tuple(ChallengeType)
SMS = "Demo Bank: {otp} to send {transfer_amount} to {payee_name}"


def form(**fields: str | list[str]) -> MultiDict[str, str]:
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return MultiDict(pairs)


def monetary(**changes: str) -> MultiDict[str, str]:
    fields = {
        "application": "Business Banking",
        "scenario_type": "monetary",
        "action": "BILL_PAY_CREATE",
        "frequency": "value_based",
        "value_above": " 250.00 ",
        "activity_type": "login",  # left selected from an earlier choice
        "description": " Business bill pay ",
        "status": "active",
        "primary_challenge": "sms_code",
        "backup_challenge": "authenticator_app",
        "sms_template": SMS,
        "email_template": "",
    }
    return form(**{**fields, **changes})


def test_a_monetary_form_becomes_a_spec_the_service_accepts() -> None:
    data = scenario_data(monetary(), creating=True)
    assert set(data) == set(SPEC_FIELDS)
    assert data["activity_type"] is None  # a monetary scenario has none: dropped, not refused
    assert data["value_above"] == "250.00"
    spec = parse_spec(data, ALL)
    assert spec.application is Application.BUSINESS_BANKING
    assert spec.value_above == Decimal("250.00") and spec.frequency is Frequency.VALUE_BASED
    assert spec.description == "Business bill pay"


def test_always_drops_the_value_above_typed_for_value_based() -> None:
    data = scenario_data(monetary(frequency="always"), creating=True)
    assert data["value_above"] is None
    assert parse_spec(data, ALL).value_above is None


def test_non_monetary_drops_frequency_and_value() -> None:
    data = scenario_data(
        monetary(
            scenario_type="non_monetary",
            action="PASSWORD_UPDATE",
            activity_type="profile_update",
            sms_template="Code {otp}",
        ),
        creating=True,
    )
    assert data["frequency"] is None and data["value_above"] is None
    assert parse_spec(data, ALL).scenario_type is ScenarioType.NON_MONETARY


def test_blank_fields_are_none_and_the_service_names_each() -> None:
    data = scenario_data(form(), creating=True)
    assert data["application"] is None and data["sms_template"] == ""
    with pytest.raises(Invalid) as refused:
        parse_spec(data, ALL)
    laid_out = by_field(refused.value.problems, SPEC_FIELDS)
    for name in ("application", "action", "scenario_type", "description", "primary_challenge"):
        assert laid_out.get(name), name
    assert laid_out.get("", []) == []


def test_an_edit_sends_every_field_but_status() -> None:
    data = scenario_data(monetary(status="inactive"), creating=False)
    assert set(data) == set(EDIT_FIELDS) and "status" not in data


def test_templates_keep_their_inner_spacing() -> None:
    data = scenario_data(monetary(sms_template="Line one\n\n{otp}"), creating=True)
    assert data["sms_template"] == "Line one\n\n{otp}"


def test_a_browsers_line_breaks_are_read_as_stored() -> None:
    """A textarea is sent with CRLF line breaks: an untouched template must not change."""
    sent = monetary(email_template="Code {otp}\r\nfor {transfer_amount} to {payee_name}")
    data = scenario_data(sent, creating=False)
    assert data["email_template"] == "Code {otp}\nfor {transfer_amount} to {payee_name}"
    assert typed_values(sent, ["email_template"]) == {"email_template": data["email_template"]}


def test_problems_go_beside_their_field_and_the_rest_at_the_top() -> None:
    laid_out = by_field(
        [
            "value_above: must be more than 0",
            "value_above: at most 2 decimal places",
            "action: Retail Banking already has a scenario for BILL_PAY_CREATE (Bill pay)",
            "scenario store busy: try again",
            "version: unknown",
        ],
        SPEC_FIELDS,
    )
    assert laid_out.get("value_above") == ["must be more than 0", "at most 2 decimal places"]
    assert laid_out.get("action")[0].startswith("Retail Banking already has")
    assert laid_out.get("", []) == ["scenario store busy: try again", "version: unknown"]
    assert by_field([], SPEC_FIELDS) == {}


def test_a_stored_scenario_fills_the_form() -> None:
    spec = parse_spec(scenario_data(monetary(), creating=True), ALL)
    values = scenario_values(Scenario("abc", spec))
    assert values["value_above"] == "250.00" and values["activity_type"] == ""
    assert values["backup_challenge"] == "authenticator_app"
    again = parse_spec(scenario_data(form(**values), creating=True), ALL)
    assert again == spec


@pytest.mark.parametrize(
    ("raw", "version"), [("3", 3), (" 12 ", 12), ("", None), ("v3", None), ("-1", None)]
)
def test_the_version_read_is_a_number_or_none(raw: str, version: int | None) -> None:
    assert read_version(form(version=raw)) == version
    assert read_version(form()) is None


def test_the_configuration_form_round_trips() -> None:
    values = config_values(MfaConfig())
    assert values["code_length"] == "6" and isinstance(values["enabled_types"], list)
    submitted = form(**values)
    assert parse_config(config_data(submitted)) == MfaConfig()


def test_configuration_numbers_that_are_not_numbers_get_the_service_rule() -> None:
    values = {**config_values(MfaConfig()), "code_length": "six", "max_attempts": "9"}
    data = config_data(form(**values))
    assert data["code_length"] == "six" and data["max_attempts"] == 9
    with pytest.raises(Invalid) as refused:
        parse_config(data)
    laid_out = by_field(refused.value.problems, data)
    assert laid_out.get("code_length") == ["a whole number from 6 to 8"]
    assert laid_out.get("max_attempts") == ["a whole number from 1 to 5"]


def test_no_enabled_type_ticked_is_refused_beside_the_boxes() -> None:
    values = {**config_values(MfaConfig()), "enabled_types": []}
    with pytest.raises(Invalid) as refused:
        parse_config(config_data(form(**values)))
    assert by_field(refused.value.problems, ["enabled_types"]).get("enabled_types")


def test_the_dry_run_question() -> None:
    question = dry_run_question(
        form(
            application="Retail Banking",
            action="BILL_PAY_CREATE",
            amount="150.00",
            enrolled=["sms_code"],
        )
    )
    assert question.amount == Decimal("150.00")
    assert question.enrolled == frozenset({ChallengeType.SMS_CODE})
    no_amount = dry_run_question(form(application="Retail Banking", action="LOGIN", amount=""))
    assert no_amount.amount is None and no_amount.enrolled == frozenset()


def test_a_bad_dry_run_question_names_each_field() -> None:
    with pytest.raises(Invalid) as refused:
        dry_run_question(form(application="Nowhere", action="FLY", amount="1e3"))
    laid_out = by_field(refused.value.problems, ("application", "action", "amount"))
    assert laid_out.get("application") and laid_out.get("action") and laid_out.get("amount")


def test_the_dry_run_form_starts_with_every_type_ticked() -> None:
    assert not asked(form())
    assert dry_run_values(form())["enrolled"] == [t.value for t in ChallengeType]
    sent = form(application="Retail Banking", action="LOGIN")
    assert asked(sent) and dry_run_values(sent)["enrolled"] == []


AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_preview_fills_the_sample_values_and_masks_the_account() -> None:
    shown = preview(
        "sms_template",
        "{otp} for {transfer_amount} to {payee_name} from {account_number}"
        " at {server_time} on {server_date} {{literal}}",
        AT,
        "USD",
    )
    assert shown.problems == []
    assert shown.text == (
        "482913 for USD 150.00 to Chidi Okeke from ••6789 at 09:30 on 2026-11-02 {literal}"
    )
    assert "0123456789" not in shown.text


def test_preview_of_a_broken_template_says_why() -> None:
    shown = preview("email_template", "Code {pin} {", AT, "USD")
    assert shown.text == ""
    assert any("unknown variable {pin}" in p for p in shown.problems)
    assert any("unmatched" in p for p in shown.problems)
    assert preview("status", "x", AT, "USD").problems


def test_list_filters_from_the_url() -> None:
    filters, problems = list_filters(
        form(application="Business Banking", status="inactive", q="  bill ", page="2")
    )
    assert filters.application is Application.BUSINESS_BANKING
    assert filters.status is Status.INACTIVE and filters.search == "bill"
    assert filters.narrowed and problems == []
    everything, none = list_filters(form(application="", status=""))
    assert not everything.narrowed and none == []


def test_a_filter_that_is_not_a_choice_is_named_and_not_applied() -> None:
    filters, problems = list_filters(form(application="Mars Banking", status="on", q="x" * 101))
    assert filters == type(filters)()
    laid_out = by_field(problems, ("application", "status", "q"))
    assert laid_out.get("application") and laid_out.get("status") and laid_out.get("q")


def test_a_select_left_blank_says_choose_one() -> None:
    assert for_people(
        [
            "application: required, one of: Retail Banking, Business Banking",
            "action: required, one of the catalogue's actions (e.g. BILL_PAY_CREATE)",
            "description: required",
            "store busy",
        ]
    ) == [
        "application: required: choose one from the list",
        "action: required: choose one from the list",
        "description: required",
        "store busy",
    ]
