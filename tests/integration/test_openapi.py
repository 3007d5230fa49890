"""docs/openapi.yaml checked against the running app with schemathesis: for every operation,
generated requests (valid and not) get no 500, and every answer matches the documented status,
content type and schema. The calls carry the real keys (the token API's and the shared admin
key with an ``X-Admin-User``), so they reach the views, not only the guard. Nested and oversized
bodies are pinned in test_nested_json.py and test_api_bodies below.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import Config

SPEC = Path(__file__).parents[2] / "docs" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class CurrentApp:
    """The WSGI app schemathesis calls: the app of the test being run (a new one per test, on
    its own Redis and bank), set by the ``current`` fixture."""

    app: Flask | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None, "the current fixture sets the app"
        return self.app(environ, start_response)


CURRENT = CurrentApp()
schema = schemathesis.openapi.from_path(SPEC)
schema.app = CURRENT


@pytest.fixture
def current(app: Flask) -> Iterator[Flask]:
    app.config.update(PROPAGATE_EXCEPTIONS=False)  # a failure is a 500 to check, not a raise
    CURRENT.app = app
    yield app
    CURRENT.app = None


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_apis_keep_to_their_description(
    case: schemathesis.Case[Any], config: Config, current: Flask
) -> None:
    key = config.auth_api_key if case.path.startswith("/auth/") else config.admin_api_key
    headers = {"Authorization": f"Bearer {key}"}
    if case.path.startswith("/admin/") and "X-Admin-User" not in (case.headers or {}):
        headers["X-Admin-User"] = "schemathesis"
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.parametrize("channel", [{}, [], ["whatsapp"], {"a": 1}])
@pytest.mark.parametrize("path", ["/auth/v1/token/check", "/auth/v1/token/revoke"])
def test_a_channel_that_is_not_a_string_is_a_400(
    client: FlaskClient, config: Config, path: str, channel: object
) -> None:
    """Found by schemathesis: an unhashable channel was looked up in a frozenset (a 500)."""
    response = client.post(
        path,
        json={"channel": channel, "user": "+2348030000001"},
        headers={"Authorization": f"Bearer {config.auth_api_key}"},
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": 'channel: must be "whatsapp"'}


@pytest.mark.parametrize(
    ("path", "key"),
    [("/auth/v1/token/check", "auth"), ("/admin/api/v1/scenarios", "admin")],
)
def test_an_oversized_body_is_refused_as_json(
    client: FlaskClient, config: Config, path: str, key: str
) -> None:
    """Over the 64 KiB limit: 413, JSON from each API, never Flask's HTML page or a 500."""
    secret = config.auth_api_key if key == "auth" else config.admin_api_key
    body = '{"channel": "whatsapp", "user": "+2348030000001", "x": "' + "a" * 70_000 + '"}'
    response = client.post(
        path,
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "X-Admin-User": "ada"},
    )
    assert response.status_code in (400, 413)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    assert "error" in response.get_json()
