"""The scenario form's templates per language in the staff console: shown for every language
with a catalog, saved from the form, refused with the problem named in full, and kept by an
edit that doesn't send them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from admin.console.scenario_forms import scenario_values
from app import Services
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock

INTERBANK = "oob07"  # always challenged by SMS code, on the bank's default wording
FR = "Demo Bank : {otp} pour envoyer {transfer_amount} à {payee_name}"


@pytest.fixture
def admin(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    return console_as(app, services, clock, "admin", "ada")[0]


def form(services: Services, **changes: str) -> dict[str, Any]:
    stored = services.scenarios.get(INTERBANK)
    assert stored is not None
    return {**scenario_values(stored), **changes, "version": str(stored.version)}


def test_templates_per_language_in_the_console(admin: ConsoleClient, services: Services) -> None:
    page = admin.get(f"/admin/scenarios/{INTERBANK}/edit").get_data(as_text=True)
    assert 'name="translations.fr.sms_template"' in page
    assert 'name="translations.ar.email_template"' in page and "Templates in العربية" in page
    path = f"/admin/scenarios/{INTERBANK}/edit"
    saved = admin.post(path, form(services, **{"translations.fr.sms_template": FR}))
    assert saved.status_code == 303
    stored = services.scenarios.get(INTERBANK)
    assert stored is not None and stored.spec.translations == {"fr": {"sms_template": FR}}
    # An edit without those fields (the API's, an old form) keeps them.
    plain = {k: v for k, v in form(services).items() if not k.startswith("translations.")}
    assert admin.post(path, {**plain, "description": "Interbank Transfer Out"}).status_code == 303
    stored = services.scenarios.get(INTERBANK)
    assert stored is not None and stored.spec.translations == {"fr": {"sms_template": FR}}
    # A translation missing the code is refused, named in full, and nothing changes.
    refused = admin.post(path, form(services, **{"translations.fr.sms_template": "sans code"}))
    assert refused.status_code == 422
    assert "translations.fr.sms_template: must include {otp}" in refused.get_data(as_text=True)
