"""MFA scenario templates per language: written in the API's ``translations`` and checked as
the English ones are, sent in the customer's language, with the English (or the bank's own
wording, translated by the catalogs) as the fallback."""

from __future__ import annotations

from typing import Any, cast

import pytest

from auth.scenarios.codec import spec_from_dict, spec_to_dict
from auth.scenarios.model import ChallengeType, Scenario
from auth.scenarios.seed import default_templates
from auth.scenarios.validate import Invalid, parse_spec
from auth.stepup.challenges import Challenge
from auth.stepup.delivery import Delivery
from tests.unit.test_mfa_scenarios import ALL, SMS_OK, monetary

FR_SMS = "{otp} est votre code pour envoyer {transfer_amount} à {payee_name}."
AR_SMS = "{otp} هو رمزك لإرسال {transfer_amount} إلى {payee_name}."


def sms_scenario(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "primary_challenge": "sms_code",
        "backup_challenge": "authenticator_app",
        "sms_template": SMS_OK,
        **changes,
    }
    return monetary(**fields)


def refused(data: dict[str, Any]) -> list[str]:
    with pytest.raises(Invalid) as caught:
        parse_spec(data, ALL)
    return caught.value.problems


def test_templates_per_language_are_kept() -> None:
    translations = {"fr": {"sms_template": FR_SMS}, "ar": {"sms_template": AR_SMS}}
    spec = parse_spec(sms_scenario(translations=translations), ALL)
    assert spec.translations == translations
    assert spec_from_dict(spec_to_dict(spec)) == spec  # stored and read back


def test_a_blank_translation_is_left_out_and_english_stays() -> None:
    spec = parse_spec(sms_scenario(translations={"fr": {"sms_template": "  "}}), ALL)
    assert spec.translations == {} and spec.sms_template == SMS_OK


def test_each_problem_of_a_translation_names_its_language_and_field() -> None:
    assert refused(sms_scenario(translations={"de": {"sms_template": FR_SMS}})) == [
        "translations.de: not a language with a catalog (one of ar, fr)"
    ]
    assert refused(sms_scenario(translations={"fr": {"sms_template": "{otp} est votre code"}}))[
        0
    ] == ("translations.fr.sms_template: must include {transfer_amount}, {payee_name}")
    assert refused(sms_scenario(translations={"fr": {"sms": FR_SMS}})) == [
        "translations.fr.sms: unknown field"
    ]
    assert refused(sms_scenario(translations={"fr": {"sms_template": FR_SMS + " {pin}"}}))[
        0
    ].startswith("translations.fr.sms_template: unknown variable {pin}")
    assert refused(sms_scenario(translations=["fr"]))[0].startswith("translations: an object")


def delivery() -> Delivery:
    """Only the template choice is exercised: it needs the bank's name, nothing else."""
    nothing = cast(Any, None)
    return Delivery(nothing, nothing, nothing, nothing, nothing, "Demo Bank", nothing)


def challenge() -> Challenge:
    return cast(Challenge, type("C", (), {"kind": ChallengeType.SMS_CODE, "action": "P2P_CREATE"}))


def scenario(**changes: Any) -> Scenario:
    return Scenario("s1", parse_spec(sms_scenario(action="BILL_PAY_CREATE", **changes), ALL))


def test_the_customer_language_chooses_the_template() -> None:
    own = scenario(translations={"fr": {"sms_template": FR_SMS}})
    assert delivery().template(challenge(), own, "fr") == FR_SMS
    assert delivery().template(challenge(), own, "ar") == SMS_OK  # none in Arabic: the English
    assert delivery().template(challenge(), own, "en") == SMS_OK


def test_the_bank_default_wording_is_translated_by_the_catalogs() -> None:
    english, _ = default_templates("Demo Bank", True)
    assert english.startswith("Demo Bank: {otp} is your code to send {transfer_amount} to")
    french = delivery().template(challenge(), scenario(sms_template=english), "fr")
    assert french.startswith("Demo Bank : {otp} est votre code pour envoyer {transfer_amount}")
    assert delivery().template(challenge(), None, "ar").startswith("Demo Bank: {otp} هو رمزك")
    assert delivery().template(challenge(), None, "en") == english


def test_the_english_default_is_unchanged() -> None:
    sms, email = default_templates("Demo Bank", False)
    assert sms == (
        "Demo Bank: {otp} is your code to confirm a change to your profile or cards. "
        "Sent {server_time}. Never share it."
    )
    assert email.startswith("Your Demo Bank code to confirm a change to your profile or cards")
