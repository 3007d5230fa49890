"""Headers every answer carries: HSTS on every response in production (not in development,
where the simulator runs on http), and ``no-store`` on every answer of the token API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import Config, Services, create_app
from app.web import HSTS
from tests.conftest import AMINA

PATHS = [
    ("GET", "/verify"),
    ("GET", "/secure/login/not-a-token"),
    ("GET", "/claim/not-a-token"),
    ("GET", "/media/not-a-token"),
    ("POST", "/auth/v1/token/check"),
    ("GET", "/admin/api/v1/scenarios"),
    ("POST", "/whatsapp/inbound"),
    ("GET", "/healthz"),
    ("GET", "/nowhere"),
]


@pytest.fixture
def production(config: Config, services: Services) -> Flask:
    flask_app = create_app(replace(config, env="production"), services)
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_hsts_on_every_response_in_production(production: Flask, method: str, path: str) -> None:
    response = production.test_client().open(path, method=method)
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert HSTS == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_no_hsts_in_development(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method)
    assert "Strict-Transport-Security" not in response.headers


def test_every_token_api_answer_is_no_store(client: FlaskClient, config: Config) -> None:
    key = {"Authorization": f"Bearer {config.auth_api_key}"}
    body = {"channel": "whatsapp", "user": AMINA}
    answers = {
        200: client.post("/auth/v1/token/check", json=body, headers=key),
        400: client.post("/auth/v1/token/revoke", data="nope", headers=key),
        401: client.post("/auth/v1/token/check", json=body),
        404: client.post("/auth/v1/token/nowhere", json=body, headers=key),
        405: client.get("/auth/v1/token/check", headers=key),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.headers["Cache-Control"] == "no-store", status
    assert client.post("/auth/v1/token/revoke", json=body, headers=key).status_code == 200
