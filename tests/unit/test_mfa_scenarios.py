"""MFA scenarios without Redis (SECURITY.md 12): every rule staff can break, refused with its own
message; the message templates (the account always masked, literal braces, nothing evaluated);
and the pure evaluation at its edges — the amount at, one cent above and below the threshold,
inactive and missing scenarios, the combined application, backup and unavailable types.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth.scenarios.evaluate import evaluate
from auth.scenarios.model import (
    ACTIONS,
    MAX_VALUE_ABOVE,
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
from auth.scenarios.templates import MessageValues, render, variables_in
from auth.scenarios.validate import Invalid, parse_spec

ALL = tuple(ChallengeType)
SMS, EMAIL = ChallengeType.SMS_CODE, ChallengeType.EMAIL_CODE
APP, QUESTIONS = ChallengeType.AUTHENTICATOR_APP, ChallengeType.SECURITY_QUESTIONS
RETAIL = Application.RETAIL_BANKING
AT = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
SMS_OK = "{otp} is your code to send {transfer_amount} to {payee_name}. Never share it."
EMAIL_OK = "Your code to send {transfer_amount} to {payee_name} is {otp}."


def monetary(**changes: Any) -> dict[str, Any]:
    """A valid value-based scenario; ``None`` in ``changes`` removes that field."""
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


def non_monetary(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application": "Retail Banking",
        "action": "USERNAME_UPDATE",
        "scenario_type": "non_monetary",
        "activity_type": "profile_update",
        "description": "Username change",
        "primary_challenge": "authenticator_app",
        "backup_challenge": "security_questions",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def problems(data: dict[str, Any], enabled: tuple[ChallengeType, ...] = ALL) -> list[str]:
    with pytest.raises(Invalid) as refused:
        parse_spec(data, enabled)
    assert str(refused.value) == "; ".join(refused.value.problems)
    return refused.value.problems


# --- valid input ---


def test_a_valid_value_based_scenario() -> None:
    spec = parse_spec(monetary(description="  Bill pay over a thousand "), ALL)
    assert spec.application is RETAIL
    assert spec.scenario_type is ScenarioType.MONETARY
    assert spec.frequency is Frequency.VALUE_BASED
    assert spec.value_above == Decimal("1000.00")
    assert spec.description == "Bill pay over a thousand"
    assert spec.status is Status.ACTIVE  # active by default
    assert spec.challenge_types == (APP, QUESTIONS)


def test_the_edges_of_value_above_are_accepted() -> None:
    assert parse_spec(monetary(value_above="0.01"), ALL).value_above == Decimal("0.01")
    top = parse_spec(monetary(value_above="999999999999"), ALL).value_above
    assert top == MAX_VALUE_ABOVE
    assert parse_spec(monetary(value_above=250), ALL).value_above == Decimal(250)


def test_a_valid_non_monetary_scenario_may_be_created_inactive() -> None:
    spec = parse_spec(non_monetary(status="inactive"), ALL)
    assert spec.frequency is None and spec.value_above is None
    assert spec.status is Status.INACTIVE and not spec.active


def test_one_enabled_type_means_no_backup() -> None:
    spec = parse_spec(monetary(backup_challenge=None), (APP,))
    assert spec.challenge_types == (APP,)


# --- every rule, refused with its message ---

APPLICATION = (
    "application: required, one of: Retail Banking, Business Banking, Consumer Lending, "
    "Customer Onboarding, Retail and Business Banking"
)
ACTION = "action: required, one of the catalogue's actions (e.g. BILL_PAY_CREATE)"
TYPES = "sms_code, email_code, authenticator_app, security_questions"
PRIMARY = f"primary_challenge: required, one of: {TYPES}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (monetary(application=None), APPLICATION),
        (monetary(application="Wealth Management"), APPLICATION),
        (monetary(application="retail banking"), APPLICATION),
        (monetary(action=None), ACTION),
        (monetary(action="BILL_PAY"), ACTION),
        (monetary(action=42), ACTION),
        (monetary(scenario_type=None), "scenario_type: required, one of: monetary, non_monetary"),
        (monetary(action="USERNAME_UPDATE"), "scenario_type: USERNAME_UPDATE is non_monetary"),
        (non_monetary(action="BILL_PAY_CREATE"), "scenario_type: BILL_PAY_CREATE is monetary"),
        (monetary(frequency=None), "frequency: required, one of: always, value_based"),
        (monetary(frequency="daily"), "frequency: required, one of: always, value_based"),
        (monetary(value_above="0"), "value_above: must be more than 0"),
        (monetary(value_above="0.00"), "value_above: must be more than 0"),
        (monetary(value_above=0), "value_above: must be more than 0"),
        (monetary(value_above="-5.00"), "value_above: must be more than 0"),
        (monetary(value_above="1000000000000"), "value_above: must be at most 999999999999"),
        (monetary(value_above="999999999999.01"), "value_above: must be at most 999999999999"),
        (monetary(value_above="10.001"), "value_above: at most 2 decimal places"),
        (monetary(value_above="ten"), 'value_above: must be a decimal number such as "1000.00"'),
        (monetary(value_above="1e3"), 'value_above: must be a decimal number such as "1000.00"'),
        (monetary(value_above="NaN"), 'value_above: must be a decimal number such as "1000.00"'),
        (monetary(value_above="1,000"), 'value_above: must be a decimal number such as "1000.00"'),
        (
            monetary(value_above=None),
            'value_above: required for value_based, a decimal string such as "1000.00"',
        ),
        (
            monetary(value_above=10.5),
            'value_above: required for value_based, a decimal string such as "1000.00"',
        ),
        (
            monetary(value_above=True),
            'value_above: required for value_based, a decimal string such as "1000.00"',
        ),
        (
            monetary(frequency="always"),
            "value_above: only for value_based frequency",
        ),
        (
            monetary(activity_type="profile_update"),
            "activity_type: only for non_monetary scenarios",
        ),
        (non_monetary(frequency="always"), "frequency: only for monetary scenarios"),
        (non_monetary(value_above="10.00"), "value_above: only for monetary scenarios"),
        (
            non_monetary(activity_type=None),
            "activity_type: required, one of: profile_update, card_management, login",
        ),
        (
            non_monetary(activity_type="card_management"),
            "activity_type: USERNAME_UPDATE is profile_update",
        ),
        (monetary(description=None), "description: required"),
        (monetary(description=""), "description: required"),
        (monetary(description="   "), "description: required"),
        (monetary(description=7), "description: required"),
        (monetary(description="x" * 101), "description: at most 100 characters"),
        (monetary(description="Bill-pay!"), "description: use only letters, digits and spaces"),
        (monetary(description="Café payments"), "description: use only letters, digits and spaces"),
        (monetary(description="Bill\tpay"), "description: use only letters, digits and spaces"),
        (monetary(status="paused"), "status: required, one of: active, inactive"),
        (monetary(primary_challenge=None), PRIMARY),
        (monetary(primary_challenge="fingerprint"), PRIMARY),
        (monetary(backup_challenge=None), f"backup_challenge: required, one of: {TYPES}"),
        (
            monetary(backup_challenge="authenticator_app"),
            "backup_challenge: must differ from primary_challenge",
        ),
        (monetary(colour="red"), "colour: unknown field"),
        (monetary(id="abc"), "id: unknown field"),
    ],
)
def test_each_rule_is_refused_with_its_message(data: dict[str, Any], message: str) -> None:
    assert problems(data) == [message]


def test_a_description_of_exactly_100_characters_is_accepted() -> None:
    assert len(parse_spec(monetary(description="x" * 100), ALL).description) == 100


def test_a_type_that_is_not_enabled_is_refused() -> None:
    enabled = (SMS, EMAIL, QUESTIONS)
    assert problems(monetary(primary_challenge="authenticator_app"), enabled) == [
        "primary_challenge: authenticator_app is not an enabled challenge type"
    ]
    data = monetary(primary_challenge="security_questions", backup_challenge="authenticator_app")
    assert problems(data, enabled) == [
        "backup_challenge: authenticator_app is not an enabled challenge type"
    ]


def test_a_backup_is_refused_when_only_one_type_is_enabled() -> None:
    assert problems(monetary(), (APP,)) == [
        "backup_challenge: only one challenge type is enabled: no backup"
    ]


def test_several_problems_give_one_message_each_naming_its_field() -> None:
    data = monetary(
        application="Nowhere",
        value_above="0",
        description="Bill pay!",
        backup_challenge="authenticator_app",
        colour="red",
    )
    found = problems(data)
    assert len(found) == 5
    assert sorted(p.split(":")[0] for p in found) == [
        "application",
        "backup_challenge",
        "colour",
        "description",
        "value_above",
    ]


def test_nothing_at_all_lists_every_required_field() -> None:
    fields = [p.split(":")[0] for p in problems({})]
    assert fields == [
        "application",
        "action",
        "scenario_type",
        "description",
        "primary_challenge",
        "backup_challenge",
    ]


# --- templates ---


def with_sms(**changes: Any) -> dict[str, Any]:
    return monetary(**{"primary_challenge": "sms_code", "sms_template": SMS_OK, **changes})


def test_a_code_channel_needs_its_template() -> None:
    assert parse_spec(with_sms(), ALL).sms_template == SMS_OK
    message = "sms_template: required when its code channel is a challenge type"
    assert problems(monetary(primary_challenge="sms_code")) == [message]
    assert problems(with_sms(sms_template="   ")) == [message]
    assert problems(monetary(backup_challenge="email_code")) == [
        "email_template: required when its code channel is a challenge type"
    ]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            SMS_OK + " {pin}",
            "sms_template: unknown variable {pin}; use {account_number}, {otp}, {payee_name}, "
            "{server_date}, {server_time}, {transfer_amount}",
        ),
        (SMS_OK + " {otp.__class__}", "sms_template: unknown variable {otp.__class__}"),
        (SMS_OK + " {otp!r}", "sms_template: unknown variable {otp!r}"),
        (SMS_OK + " {0}", "sms_template: unknown variable {0}"),
        (SMS_OK + " {}", "sms_template: unknown variable {}"),
        (SMS_OK + " {OTP}", "sms_template: unknown variable {OTP}"),
        (SMS_OK + " {otp", "sms_template: unmatched '{' (write {{ or }} for a brace)"),
        (SMS_OK + " otp}", "sms_template: unmatched '}' (write {{ or }} for a brace)"),
        ("Send {transfer_amount} to {payee_name}", "sms_template: must include {otp}"),
        ("{otp} is your code", "sms_template: must include {transfer_amount}, {payee_name}"),
        ("{otp} to send {transfer_amount}", "sms_template: must include {payee_name}"),
        # Literal braces: "{{otp}}" shows the text "{otp}", never the code.
        ("{{otp}} to send {transfer_amount} to {payee_name}", "sms_template: must include {otp}"),
        (SMS_OK + "x" * 320, "sms_template: at most 320 characters"),
        (42, "sms_template: must be text"),
    ],
)
def test_template_problems(template: Any, message: str) -> None:
    found = problems(with_sms(sms_template=template))
    assert len(found) == 1
    assert found[0].startswith(message)


def test_a_non_monetary_template_needs_only_the_code() -> None:
    data = non_monetary(primary_challenge="sms_code", sms_template="{otp} is your code")
    assert parse_spec(data, ALL).sms_template == "{otp} is your code"
    data["sms_template"] = "Your code is on its way"
    assert problems(data) == ["sms_template: must include {otp}"]


def test_an_unused_channel_template_is_still_checked() -> None:
    assert problems(monetary(email_template="Hello {name}"))[0].startswith(
        "email_template: unknown variable {name}"
    )
    assert parse_spec(monetary(email_template="Hello"), ALL).email_template == "Hello"


def values(**changes: Any) -> MessageValues:
    fields: dict[str, Any] = {
        "otp": "482913",
        "at": AT,
        "account_number": "0123456789",
        "payee_name": "Chidi O.",
        "transfer_amount": "USD 150.00",
    }
    fields.update(changes)
    return MessageValues(**fields)


def test_rendering_fills_every_variable_and_masks_the_account() -> None:
    template = (
        "{otp} sends {transfer_amount} to {payee_name} from {account_number} "
        "on {server_date} at {server_time}"
    )
    text = render(template, values())
    assert text == "482913 sends USD 150.00 to Chidi O. from ••6789 on 2026-11-02 at 14:05"
    assert "0123456789" not in text
    assert "0123456789" not in render("{account_number}", values(account_number="0123456789"))
    assert render("[{account_number}]", values(account_number="")) == "[]"
    assert render("{account_number}", values(account_number="6789")) == "••••"


def test_double_braces_are_literal_braces() -> None:
    assert render("Use {{otp}} for {otp}: {{ }}", values()) == "Use {otp} for 482913: { }"
    assert variables_in("{{otp}} {otp} {{{payee_name}}}") == ["otp", "payee_name"]
    assert render("{{{payee_name}}}", values()) == "{Chidi O.}"


def test_attribute_lookups_are_never_evaluated() -> None:
    with pytest.raises(ValueError, match="not a known variable"):
        render("{otp.__class__}", values())
    with pytest.raises(ValueError, match="not a known variable"):
        render("{otp:>10}", values())


# --- evaluation ---


def spec(**changes: Any) -> ScenarioSpec:
    fields: dict[str, Any] = {
        "application": RETAIL,
        "action": "BILL_PAY_CREATE",
        "scenario_type": ScenarioType.MONETARY,
        "description": "Bill pay",
        "primary_challenge": SMS,
        "backup_challenge": EMAIL,
        "frequency": Frequency.VALUE_BASED,
        "value_above": Decimal("1000.00"),
    }
    fields.update(changes)
    return ScenarioSpec(**fields)


def scenario(scenario_id: str = "s1", **changes: Any) -> Scenario:
    return Scenario(scenario_id, spec(**changes))


def decide(
    scenarios: list[Scenario],
    amount: str | None,
    action: str = "BILL_PAY_CREATE",
    *,
    application: Application = RETAIL,
    config: MfaConfig | None = None,
    enrolled: frozenset[ChallengeType] = frozenset(ALL),
    force: bool = False,
) -> Any:
    money = Decimal(amount) if amount is not None else None
    return evaluate(
        scenarios, config or MfaConfig(), application, action, money, enrolled, force=force
    )


@pytest.mark.parametrize(
    ("amount", "required"),
    [("1000.00", False), ("1000", False), ("1000.01", True), ("999.99", False), ("0.01", False)],
)
def test_value_based_challenges_only_above_the_threshold(amount: str, required: bool) -> None:
    rule = scenario()
    decision = decide([rule], amount)
    assert decision.required is required
    assert decision.scenario == rule
    if required:
        assert decision.challenge is SMS
        assert decision.options == (SMS, EMAIL)
        assert decision.reason == f"{amount} is more than 1000.00"
    else:
        assert decision.challenge is None and decision.options == ()
        assert decision.reason == f"{amount} is not more than 1000.00"


def test_no_amount_on_a_value_based_rule_fails_closed() -> None:
    decision = decide([scenario()], None)
    assert decision.required and decision.challenge is SMS


def test_always_challenges_whatever_the_amount() -> None:
    rule = scenario(frequency=Frequency.ALWAYS, value_above=None)
    for amount in ("0.01", "1000.00", None):
        decision = decide([rule], amount)
        assert decision.required and decision.challenge is SMS
        assert decision.reason == "Bill pay: always challenged"


def test_an_inactive_scenario_is_ignored_for_the_default() -> None:
    rule = scenario(status=Status.INACTIVE)
    decision = decide([rule], "5.00")  # under the threshold: the rule would have said no
    assert decision.required
    assert decision.scenario is None
    assert decision.options == (SMS, EMAIL)  # the configured default challenge
    assert decision.reason.startswith("no active scenario")


def test_a_missing_scenario_falls_to_the_default() -> None:
    other = scenario(action="P2P_CREATE", description="P2P")
    money = decide([other], "5.00")
    assert money.required and money.scenario is None and money.challenge is SMS
    challenge = MfaConfig(default_non_monetary=DefaultRule.CHALLENGE)
    assert decide([other], None, "USERNAME_UPDATE", config=challenge).required
    none = MfaConfig(default_non_monetary=DefaultRule.NONE)
    change = decide([other], None, "USERNAME_UPDATE", config=none)
    assert not change.required and change.options == ()
    assert change.reason == "no active scenario: the default asks for none"
    # Money movements are challenged whatever default_non_monetary says.
    assert decide([], "0.01", config=none).required


def test_an_inactive_non_monetary_scenario_follows_default_non_monetary() -> None:
    rule = scenario(
        action="USERNAME_UPDATE",
        scenario_type=ScenarioType.NON_MONETARY,
        frequency=None,
        value_above=None,
        status=Status.INACTIVE,
    )
    assert decide([rule], None, "USERNAME_UPDATE").required
    none = MfaConfig(default_non_monetary=DefaultRule.NONE)
    assert not decide([rule], None, "USERNAME_UPDATE", config=none).required


def test_the_combined_application_covers_retail_and_business() -> None:
    combined = scenario(application=Application.RETAIL_AND_BUSINESS_BANKING)
    for application in (RETAIL, Application.BUSINESS_BANKING):
        decision = decide([combined], "5.00", application=application)
        assert decision.scenario == combined and not decision.required
    # Not other applications: those fall to the default.
    lending = decide([combined], "5.00", application=Application.CONSUMER_LENDING)
    assert lending.scenario is None and lending.required
    # A part's own scenario wins over the combined one.
    own = scenario("s2", frequency=Frequency.ALWAYS, value_above=None, description="Own")
    assert decide([combined, own], "5.00").scenario == own
    assert decide([own, combined], "5.00").required
    # An inactive own scenario leaves the combined one in charge.
    paused = scenario("s3", status=Status.INACTIVE, frequency=Frequency.ALWAYS, value_above=None)
    assert decide([paused, combined], "5.00").scenario == combined


def test_the_backup_is_used_when_the_primary_is_not_enrolled() -> None:
    decision = decide([scenario()], "2000.00", enrolled=frozenset({EMAIL, APP}))
    assert decision.required and decision.challenge is EMAIL
    assert decision.options == (EMAIL,)
    assert not decision.unavailable


def test_neither_type_enrolled_is_unavailable_never_unchallenged() -> None:
    decision = decide([scenario()], "2000.00", enrolled=frozenset({APP}))
    assert decision.required and decision.unavailable
    assert decision.challenge is None and decision.options == ()
    nothing = decide([], "1.00", enrolled=frozenset())
    assert nothing.required and nothing.unavailable


def test_a_disabled_type_is_skipped() -> None:
    config = MfaConfig(enabled_types=(EMAIL, APP, QUESTIONS))
    decision = decide([scenario()], "2000.00", config=config)
    assert decision.options == (EMAIL,) and decision.challenge is EMAIL
    only_sms = MfaConfig(enabled_types=(SMS,), default_backup=None)
    assert decide([scenario(backup_challenge=EMAIL)], "2000.00", config=only_sms).options == (SMS,)


def test_force_challenges_whatever_the_rule_says() -> None:
    rule = scenario()
    decision = decide([rule], "5.00", force=True)
    assert decision.required and decision.scenario == rule and decision.challenge is SMS
    none = MfaConfig(default_non_monetary=DefaultRule.NONE)
    assert decide([], None, "USERNAME_UPDATE", config=none, force=True).required


def test_an_unknown_action_raises() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        decide([scenario()], "5.00", "TELEPORT_MONEY")
    assert "TELEPORT_MONEY" not in ACTIONS


CENTS = st.integers(min_value=1, max_value=int(MAX_VALUE_ABOVE) * 100)


@given(threshold=CENTS, amount=st.integers(min_value=1, max_value=int(MAX_VALUE_ABOVE) * 1000))
def test_challenge_iff_amount_is_more_than_value_above(threshold: int, amount: int) -> None:
    value_above = Decimal(threshold).scaleb(-2)
    money = Decimal(amount).scaleb(-2)
    rule = scenario(value_above=value_above)
    decision = evaluate([rule], MfaConfig(), RETAIL, "BILL_PAY_CREATE", money, frozenset(ALL))
    assert decision.required is (money > value_above)
    assert decision.scenario == rule
