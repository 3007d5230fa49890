"""A JSON body nested deeper than the parser goes (5,000 ``[``, well under the size limit) is
an unreadable body: each API's own 400, never a 500 (``auth.json_body``)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from app import Config
from tests.conftest import AMINA

ADMIN = "/admin/api/v1"
DEEP = 5000
BODIES = [
    "[" * DEEP,  # unclosed: the parser recurses before it finds the end
    "[" * DEEP + "]" * DEEP,
    '{"channel": "whatsapp", "user": "+2348030000001", "x": ' + "[" * DEEP + "]" * DEEP + "}",
    '{"description": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
]


@pytest.mark.parametrize("body", BODIES, ids=["open", "closed", "in-object", "objects"])
@pytest.mark.parametrize("path", ["/auth/v1/token/check", "/auth/v1/token/revoke"])
def test_the_token_api_answers_400(
    client: FlaskClient, config: Config, path: str, body: str
) -> None:
    assert len(body) < 64 * 1024
    headers = {"Authorization": f"Bearer {config.auth_api_key}"}
    response = client.post(path, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json()["error"].startswith("body: must be a JSON object")


@pytest.mark.parametrize("body", BODIES, ids=["open", "closed", "in-object", "objects"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/scenarios"),
        ("POST", "/scenarios/dry-run"),
        ("PATCH", "/scenarios/oob07"),
        ("PUT", "/mfa-config"),
    ],
)
def test_the_admin_api_answers_400(
    client: FlaskClient, config: Config, method: str, path: str, body: str
) -> None:
    headers = {
        "Authorization": f"Bearer {config.admin_api_key}",
        "X-Admin-User": "ada",
        "If-Match": '"v1"',
    }
    response = client.open(
        ADMIN + path, method=method, data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json() == {
        "error": "the request could not be read",
        "problems": ["body: must be a JSON object (Content-Type: application/json)"],
    }


def test_nesting_the_parser_can_read_is_still_refused_cleanly(
    client: FlaskClient, config: Config
) -> None:
    """Deep but parseable: the fields' own checks refuse it (no 500 further in)."""
    deep = json.loads("[" * 500 + "]" * 500)
    token = client.post(
        "/auth/v1/token/check",
        json={"channel": "whatsapp", "user": AMINA, "x": deep},
        headers={"Authorization": f"Bearer {config.auth_api_key}"},
    )
    assert token.status_code == 400
    headers = {"Authorization": f"Bearer {config.admin_api_key}", "X-Admin-User": "ada"}
    for path in ("/scenarios", "/scenarios/dry-run"):
        body = {"description": deep, "amount": deep}
        admin = client.post(ADMIN + path, json=body, headers=headers)
        assert admin.status_code in (400, 422), admin.get_data(as_text=True)
