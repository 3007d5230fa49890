"""The admin API takes a scenario's templates per language (``translations``), refuses one for
a language without a catalog with its own problem."""

from __future__ import annotations

from flask.testing import FlaskClient

from app import Config
from tests.integration.test_admin_api import Admin, new_scenario

FR = "{otp} est votre code pour envoyer {transfer_amount} à {payee_name}."
EN = "{otp} is your code to send {transfer_amount} to {payee_name}."


def test_templates_per_language_through_the_api(client: FlaskClient, config: Config) -> None:
    admin = Admin(client, config.admin_api_key)
    body = new_scenario(
        primary_challenge="sms_code",
        sms_template=EN,
        translations={"fr": {"sms_template": FR}},
    )
    created = admin.ok("POST", "/scenarios", body, status=201)
    assert created["translations"] == {"fr": {"sms_template": FR}}
    assert admin.ok("GET", f"/scenarios/{created['id']}")["translations"] == created["translations"]
    problems = admin.refused("POST", "/scenarios", {**body, "translations": {"xx": {}}})
    assert problems == ["translations.xx: not a language with a catalog (one of ar, fr)"]
