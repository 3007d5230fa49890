"""Observability through the real app: /metrics behind its token, counting a conversation's
messages; every log line of a conversation a JSON object with the request id and no secret
(through the real formatter); the id echoed in X-Request-Id; the multiprocess mode adding up
two processes' counts."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from app import Services, create_app
from messaging import logs
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

TOKEN = "metrics-token-for-tests-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def metered(services: Services) -> Flask:
    flask_app = create_app(replace(services.config, metrics_token=TOKEN), services)
    flask_app.config.update(TESTING=True)
    return flask_app


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(app: Flask) -> Samples:
    response = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_refused_without_the_token(metered: Flask, services: Services) -> None:
    client = metered.test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    # Production without a token configured: there is no /metrics at all.
    production = create_app(replace(services.config, env="production"), services)
    assert production.test_client().get("/metrics").status_code == 404


def test_metrics_count_a_conversations_messages(
    metered: Flask, services: Services, secure: SecurePages
) -> None:
    config = services.config
    whatsapp = WhatsApp(metered.test_client(), config.twilio_auth_token, config.public_base_url)
    before = scrape(metered)
    whatsapp.send(AMINA, "hi")
    register_amina(whatsapp, secure)  # "balance": a registration link, a code by SMS
    whatsapp.send(AMINA, "balance")
    whatsapp.send(AMINA, "profile")
    whatsapp.send(AMINA, "2")  # change PIN: a step-up code by SMS
    whatsapp.send(AMINA, "000000" if secure.last_code(AMINA) != "000000" else "111111")
    whatsapp.post(whatsapp.form(AMINA, "hi"), signature="forged")
    after = scrape(metered)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("teller_messages_total", intent="menu", result="ok") == 1
    assert grew("teller_messages_total", intent="login", result="ok") == 1
    assert grew("teller_messages_total", intent="balance", result="ok") == 1
    assert grew("teller_messages_total", intent="security", result="ok") == 1
    assert grew("teller_messages_total", intent="step_up", result="ok") == 2
    assert grew("teller_messages_total", intent="unknown", result="bad_signature") == 1
    assert grew("teller_webhook_seconds_count", endpoint="inbound") == 7
    assert grew("teller_links_sent_total", purpose="register") == 1
    assert grew("teller_codes_sent_total", purpose="register", channel="sms", result="sent") == 1
    assert grew("teller_codes_sent_total", purpose="stepup", channel="sms", result="sent") == 1
    assert grew("teller_challenges_total", type="sms_code", result="started") == 1
    assert grew("teller_challenges_total", type="sms_code", result="wrong") == 1
    assert value(after, "teller_queue_depth", queue="documents") >= 0
    route = "/whatsapp/inbound"
    assert grew("teller_http_requests_total", route=route, method="POST", status="200") == 6


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger's lines through the real JSON formatter, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonLines())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_every_log_line_of_a_conversation_is_json_with_its_request_id_and_no_secret(
    whatsapp: WhatsApp, secure: SecurePages, json_lines: io.StringIO
) -> None:
    ids = set()
    link = link_in(whatsapp.send(AMINA, "balance").text)
    page = secure.register(link, AMINA)
    assert page.status == 200
    register_code = secure.last_code(AMINA)
    whatsapp.send(AMINA, "profile")
    whatsapp.send(AMINA, "2")
    stepup_code = secure.last_code(AMINA)
    reply = whatsapp.client.post(
        "/whatsapp/inbound",
        data=(form := whatsapp.form(AMINA, stepup_code)),
        headers={"X-Twilio-Signature": whatsapp.sign(form)},
    )
    ids.add(reply.headers["X-Request-Id"])
    pin_link = link_in(reply.get_data(as_text=True))
    lines = json_lines.getvalue().splitlines()
    assert len(lines) > 10
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in records:
        assert record["request_id"], record
        assert {"time", "level", "logger", "message", "route", "duration_ms"} <= set(record)
    assert ids <= {r["request_id"] for r in records}
    webhook = [r for r in records if r["route"] == "/whatsapp/inbound"]
    assert webhook and all(r.get("customer") == "+234•••••0001" for r in webhook)
    text = json_lines.getvalue()
    token = link.rsplit("/", 1)[-1]
    for secret in (register_code, stepup_code, "495817", token, pin_link.rsplit("/", 1)[-1],
                   AMINA, AMINA.lstrip("+"), "0123456789", "1990-04-12"):  # fmt: skip
        assert secret not in text


def test_a_webhook_message_is_one_log_line_and_other_requests_keep_their_closing_line(
    whatsapp: WhatsApp, client: FlaskClient, json_lines: io.StringIO
) -> None:
    whatsapp.send(AMINA, "hi")
    whatsapp.post(whatsapp.form(AMINA, "hi"), signature="forged")
    client.get("/healthz")
    records = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    webhook = [r for r in records if r.get("route") == "/whatsapp/inbound"]
    answered, forged = webhook[0]["request_id"], webhook[-1]["request_id"]
    assert answered != forged
    # The message's own line says how it went; the request's closing line would repeat it.
    mine = [r for r in webhook if r["request_id"] == answered and r["level"] == "INFO"]
    assert [r["logger"] for r in mine] == ["teller.webhook"]
    assert mine[0]["message"].startswith("inbound SM") and "replies" in mine[0]["message"]
    # A refused request and any other route still end with the closing line.
    refused = [r for r in webhook if r["request_id"] == forged]
    assert refused[-1]["logger"] == "teller.request" and refused[-1]["status"] == 403
    health = [r for r in records if r.get("route") == "/healthz"]
    assert [(r["logger"], r["status"]) for r in health] == [("teller.request", 200)]


def test_a_request_id_is_kept_when_sane_and_replaced_when_not(client: FlaskClient) -> None:
    kept = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a9c2e-0001"})
    assert kept.headers["X-Request-Id"] == "lb-7f3a9c2e-0001"
    forged = client.get("/healthz", headers={"X-Request-Id": 'x" level=error forged'})
    assert forged.headers["X-Request-Id"] != 'x" level=error forged'
    assert len(forged.headers["X-Request-Id"]) == 32
    assert set(forged.headers["X-Request-Id"]) <= set("0123456789abcdef")  # a new id: hex
    assert client.get("/healthz").headers["X-Request-Id"] != forged.headers["X-Request-Id"]


WRITER = """
from messaging import metrics
for _ in range({n}):
    metrics.message("balance", "ok")
    metrics.WEBHOOK_SECONDS.labels("inbound").observe(0.2)
"""
READER = """
from prometheus_client import generate_latest
from app.observability import _registry
print(generate_latest(_registry()).decode())
"""


def test_multiprocess_mode_adds_up_two_processes(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60, check=True,
        )  # fmt: skip
        return done.stdout

    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER.format(n=n)], cwd=ROOT, env=env)
        for n in (3, 4)
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert len(list(tmp_path.glob("*.db"))) >= 2  # one file per process and kind
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(run(READER))
        for s in family.samples
    }
    assert found[("teller_messages_total", (("intent", "balance"), ("result", "ok")))] == 7
    assert found[("teller_webhook_seconds_count", (("endpoint", "inbound"),))] == 7
