"""The bank busy or down (``BankUnavailable``) behind the JSON APIs: the token API and the admin
API each answer 503 with their own JSON error body, as docs/openapi.yaml describes it,
``Cache-Control: no-store`` and ``Retry-After: 60``, "try again in a minute", and no traceback
in the answer or the log.

The token API's revoke reads the bank (the number's customer), so the real route is used with
the bank port answering ``BankUnavailable`` as a PostgreSQL bank does when it is down or busy
(test_pg_bank_outage shows the adapter does). No admin API route reads the bank today, so a
test-only route is added to the blueprint's endpoints on this test's app: the blueprint's guard
and error handlers are the ones that answer it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NoReturn

import pytest
import schemathesis
from flask import Flask
from werkzeug.test import TestResponse

from app import Config, Services
from bank.ports import BankUnavailable, CoreBanking, Customer
from tests.conftest import AMINA

SPEC = Path(__file__).parents[2] / "docs" / "openapi.yaml"
REVOKE = "/auth/v1/token/revoke"
PROBE = "/admin/api/v1/test-only/bank-read"


class BusyBank:
    """The bank port with its customer lookup failing as a busy or unreachable bank's does."""

    def __init__(self, bank: CoreBanking) -> None:
        self._bank = bank

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bank, name)

    def customer_by_msisdn(self, msisdn: str) -> Customer | None:
        raise BankUnavailable("the bank did not answer in time")


def error_schema(name: str) -> dict[str, Any]:
    spec = schemathesis.openapi.from_path(SPEC).raw_schema
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


def assert_matches(body: Any, schema: dict[str, Any]) -> None:
    """The body is an object with the schema's required fields, no others when it allows none,
    each of its declared type (the error bodies' schemas are this flat)."""
    assert isinstance(body, dict)
    assert set(schema["required"]) <= set(body)
    if schema.get("additionalProperties") is False:
        assert set(body) <= set(schema["properties"])
    types = {"string": str, "array": list, "object": dict}
    for field, value in body.items():
        declared = schema["properties"].get(field, {}).get("type")
        if declared is not None:
            assert isinstance(value, types[declared]), (field, value)
    for item in body.get("problems", []):
        assert isinstance(item, str)


def assert_bank_busy(response: TestResponse, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Retry-After"] == "60"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "BankUnavailable" not in text
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text
    body: dict[str, Any] = response.get_json()
    assert "try again in a minute" in body["error"]
    return body


def test_token_revoke_with_the_bank_busy_is_a_json_503(
    app: Flask,
    config: Config,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(services.auth, "bank", BusyBank(services.auth.bank))
    headers = {"Authorization": f"Bearer {config.auth_api_key}"}
    with caplog.at_level(logging.INFO):
        response = app.test_client().post(
            REVOKE, json={"channel": "whatsapp", "user": AMINA}, headers=headers
        )
    body = assert_bank_busy(response, caplog)
    assert_matches(body, error_schema("TokenErrorBody"))
    assert body == {"error": "the bank is temporarily unavailable; try again in a minute"}


def test_an_admin_api_route_that_reads_a_busy_bank_is_a_json_503(
    app: Flask, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    def reads_the_bank() -> NoReturn:
        raise BankUnavailable("the bank did not answer in time")

    # An endpoint of the admin API's blueprint (its name before the dot): its guard and its
    # error handlers answer for it, as for the blueprint's own routes.
    app.add_url_rule(PROBE, endpoint="admin_api.test_only_bank_read", view_func=reads_the_bank)
    headers = {"Authorization": f"Bearer {config.admin_api_key}", "X-Admin-User": "ada@bank"}
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(PROBE, headers=headers)
    body = assert_bank_busy(response, caplog)
    assert_matches(body, error_schema("AdminErrorBody"))
    assert body["problems"] == []
    assert "nothing was changed" in body["error"]
    # The operator's log says what happened, in one line and without the traceback.
    [line] = [r for r in caplog.records if "bank is unavailable" in r.getMessage()]
    assert line.levelno == logging.ERROR


def test_the_admin_api_guard_still_comes_first(app: Flask) -> None:
    """Without the key the busy bank is never reached: 401, as for every route of the API."""

    def reads_the_bank() -> NoReturn:
        raise BankUnavailable("the bank did not answer in time")

    app.add_url_rule(PROBE, endpoint="admin_api.test_only_bank_read", view_func=reads_the_bank)
    response = app.test_client().get(PROBE)
    assert response.status_code == 401
    assert response.mimetype == "application/json"
