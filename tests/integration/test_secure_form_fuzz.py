"""Every form of the secure pages, fuzzed on a live link: the registration and wallet-opening
steps (found in the URL map, so a new step is fuzzed too) given arbitrary fields with the page's
own CSRF token — the answer is a page (2xx, 3xx or 4xx, a block page once the tries run out),
never a 500."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.conftest import AMINA, STRANGER
from tests.helpers import WhatsApp
from tests.secure_pages import link_in

FIELDS = [
    "dob", "national_id_last4", "nin4", "code", "login_id", "pin", "pin_again", "question_1",
    "answer_1", "question_2", "answer_2", "question_3", "answer_3", "totp", "name", "full_name",
    "date_of_birth", "national_id", "email", "terms", "terms_version", "next",
]  # fmt: skip
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
FORMS = st.lists(st.tuples(st.sampled_from(FIELDS) | TEXT, TEXT | st.sampled_from(["1", "on"])),
                 max_size=10)  # fmt: skip
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def steps(app: Flask, purpose: str, token: str) -> list[str]:
    """Every POST path of one kind of secure link, for ``token``."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(f"/secure/{purpose}/<token>") and "POST" in (rule.methods or ()):
            found.append(rule.rule.replace("<token>", token))
    return sorted(found)


_LINKS: dict[int, tuple[FlaskClient, list[tuple[str, str]]]] = {}


def _live_links(app: Flask, whatsapp: WhatsApp) -> tuple[FlaskClient, list[tuple[str, str]]]:
    """A browser with a registration and a wallet-opening link open: every step's path."""
    register = link_in(whatsapp.send(AMINA, "balance").text)
    onboard = link_in(whatsapp.send(STRANGER, "open wallet").text)
    client = app.test_client()
    paths = []
    for link in (register, onboard):
        page = client.get(link).get_data(as_text=True)
        token = _CSRF.search(page)
        assert token, page[:300]
        purpose, _, secret = link.removeprefix("/secure/").partition("/")
        paths += [(path, token.group(1)) for path in steps(app, purpose, secret)]
    assert len(paths) >= 6
    return client, paths


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_secure_form_answers_500(app: Flask, whatsapp: WhatsApp, data: st.DataObject) -> None:
    # One pair of live links for all examples (asking again is rate-limited, and rightly).
    if id(app) not in _LINKS:
        _LINKS[id(app)] = _live_links(app, whatsapp)
    client, paths = _LINKS[id(app)]
    for _ in range(3):
        path, csrf = data.draw(st.sampled_from(paths))
        body = MultiDict([*data.draw(FORMS), ("csrf_token", csrf)])
        answer = client.post(path, data=body)
        assert answer.status_code < 500, (path, body, answer.get_data(as_text=True)[:500])
