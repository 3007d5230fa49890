"""Every form of the staff console, fuzzed: each POST route the console has (found in the URL
map, so a new screen is fuzzed too), signed in as an admin with a valid CSRF token, given
arbitrary fields — the real field names and others, any text, repeated — answers with a page
(2xx, 3xx or 4xx), never a 500."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app import Services
from tests.console import ConsoleClient, console_as
from tests.fakes import FrozenClock

# Values for the routes' path parts: existing things where it matters, anything else otherwise.
PATH_VALUES = {"scenario_id": "oob16", "customer_id": "C001", "level": "1", "username": "admin.one"}
FIELDS = [
    "version", "application", "action", "scenario_type", "frequency", "value_above",
    "description", "primary_challenge", "backup_challenge", "sms_template", "email_template",
    "status", "reason", "level", "per_transaction", "daily", "monthly", "hours", "cap", "name",
    "role", "username", "confirm", "note", "change_reason", "code", "password", "again", "next",
    "back", "enabled_types", "code_length", "preview", "decision",
]  # fmt: skip
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
FORMS = st.lists(st.tuples(st.sampled_from(FIELDS) | TEXT, TEXT | st.sampled_from(["1", "0"])),
                 max_size=12)  # fmt: skip


def post_rules(app: Flask) -> list[str]:
    """Every console path that takes a POST, with its parts filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console.") and "POST" in (rule.methods or ()):
            path = re.sub(
                r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: PATH_VALUES.get(m[1], "x"), rule.rule
            )
            if not path.endswith(("/logout", "/login")):  # they would end the fuzzing session
                paths.append(path)
    return sorted(paths)


@pytest.fixture
def admin(app: Flask, services: Services, clock: FrozenClock) -> ConsoleClient:
    console, _ = console_as(app, services, clock, "admin", "admin.one")
    console.get("/admin")
    return console


def test_the_console_has_forms_to_fuzz(app: Flask) -> None:
    assert len(post_rules(app)) >= 15


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_console_form_answers_500(app: Flask, admin: ConsoleClient, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(post_rules(app)))
    fields = data.draw(FORMS)
    body = MultiDict([*fields, ("csrf_token", admin.csrf)])
    answer = admin.client.post(path, data=body)
    assert answer.status_code < 500, (path, fields, answer.get_data(as_text=True)[:500])
