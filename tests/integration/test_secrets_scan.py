"""The secrets scan (SECURITY.md 20, 22, 26): a representative run of Teller — registration, a
wrong then a right login, a transfer with an SMS step-up (a wrong code first), its receipt and a
statement PDF rendered by the RQ worker and fetched, a card PIN changed on its secure page, the
token API, a staff member's set-up, sign-in with password and authenticator code (a wrong one
first), a personal API token made in the console and used, the shared admin key, and a few pages
fetched through a real werkzeug server — with every logger at DEBUG. Every secret value the run
used (PINs, codes, link, media and staff tokens, passwords, the TOTP secret, PDF passwords,
API keys, full account and card numbers, dates of birth, national IDs, security answers) is then
searched for in the logs, the audit stream, every RQ key and every error page served.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlparse

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from werkzeug.serving import make_server

from admin.staff.roles import Role
from app import DEMO_SEED, Config, Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.console import PASSWORD, ConsoleClient, Staff
from tests.documents import media_messages, sms_passwords
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.leaks import ErrorPages, audit_text, captured_logs, leaks, redis_text
from tests.secure_pages import AMINA_DOB, ANSWERS, SecurePages, link_in
from workers.queues import QUEUES, queue_for

PIN, WRONG_PIN, CARD_PIN = "495817", "472950", "8305"
WRONG_CODE = "000000"
STAFF_TOKEN = re.compile(r'id="new-token"[^>]*value="(tlr_[A-Za-z0-9_-]{43})"')
_CODE = re.compile(r"\b(\d{6}) is your code")


def seeded_secrets() -> dict[str, str]:
    """Every full account and card number, date of birth and national ID in the demo seed."""
    seed = json.loads(DEMO_SEED.read_text())
    found: dict[str, str] = {}
    for person in seed["customers"]:
        found[f"dob of {person['customer_id']}"] = person["dob"]
        found[f"national id of {person['customer_id']}"] = person["national_id"]
        for account in person.get("accounts", []):
            found[f"account {account['number']}"] = account["number"]
        for card in person.get("cards", []):
            found[f"card {card['card_id']}"] = card["pan"]
        for n, payee in enumerate(person.get("payees", [])):
            found[f"payee account {person['customer_id']}.{n}"] = payee["account_number"]
    for n, entry in enumerate(seed.get("national_id_registry", [])):
        found[f"registry dob {n}"] = entry["dob"]
        found[f"registry national id {n}"] = entry["national_id"]
    return found


def run_jobs_at_debug(services: Services) -> None:
    queues = [queue_for(name, services.rq_redis) for name in QUEUES]
    worker = SimpleWorker(queues, connection=services.rq_redis, serializer=JSONSerializer)
    worker.work(burst=True, logging_level="DEBUG")


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The same app behind werkzeug's own server, whose request log is werkzeug's logger."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def fetch_live(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as answer:  # noqa: S310 - loopback
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def customer_journeys(
    whatsapp: WhatsApp, secure: SecurePages, client: FlaskClient, services: Services
) -> tuple[dict[str, str], str]:
    """Registration, logins, a transfer with step-up, its receipt, a statement, a card PIN;
    what was used, and RQ's keys while the jobs waited (a finished job keeps less)."""
    used: dict[str, str] = {"pin": PIN, "wrong pin": WRONG_PIN, "card pin": CARD_PIN}
    register = link_in(whatsapp.send(AMINA, "balance").text)
    used["register link"] = register.rsplit("/", 1)[1]
    # A wrong SMS code on the details step first, then the whole registration.
    secure.post(f"{register}/code", {}, page_path=register)
    wrong = {"dob": AMINA_DOB, "nin_last4": "8901", "code": WRONG_CODE}
    assert secure.post(f"{register}/details", wrong, page_path=register).status >= 400
    assert "registered" in secure.register(register, AMINA, pin=PIN).text
    whatsapp.send(AMINA, "logout")
    login = link_in(whatsapp.send(AMINA, "balance").text)
    used["login link"] = login.rsplit("/", 1)[1]
    assert secure.login(login, pin=WRONG_PIN).status >= 400
    assert secure.login(login, pin=PIN).status == 200

    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")  # Chidi Okeke, a saved payee
    whatsapp.send(AMINA, "150")
    assert "code by SMS" in whatsapp.send(AMINA, "yes").text
    whatsapp.send(AMINA, WRONG_CODE)
    assert whatsapp.send(AMINA, secure.last_code(AMINA)).text.startswith("Done:")

    whatsapp.send(AMINA, "statement pdf")
    whatsapp.send(AMINA, "1")
    assert "on its way" in whatsapp.send(AMINA, "1").text
    queued = redis_text(services.rq_redis, "rq:*")
    run_jobs_at_debug(services)

    whatsapp.send(AMINA, "cards")
    whatsapp.send(AMINA, "2")
    card_link = link_in(whatsapp.send(AMINA, secure.last_code(AMINA)).text)
    used["card pin link"] = card_link.rsplit("/", 1)[1]
    secure.post(card_link, {"new_pin": "1234", "repeat_pin": "1234"})  # refused: a sequence
    done = secure.post(card_link, {"new_pin": CARD_PIN, "repeat_pin": CARD_PIN})
    assert "Your card PIN is changed" in done.text
    assert secure.get(card_link).status == 404  # used: the gone page, an error page

    outbox = secure.outbox
    media = media_messages(outbox, AMINA)
    assert len(media) == 2  # the receipt and the statement
    for n, message in enumerate(media):
        path = urlparse(str(message["media_urls"][0])).path
        used[f"media token {n}"] = path.split("/")[2]
        used[f"media path {n}"] = path
        assert client.get(path).status_code == 200
    for reference, password in sms_passwords(outbox, AMINA):
        used[f"pdf password of {reference}"] = password
    for n, code in enumerate(_CODE.findall(str(outbox.messages(AMINA)))):
        used[f"sms code {n}"] = code
    for n, answer in enumerate(ANSWERS.values()):
        used[f"security answer {n}"] = answer
    return used, queued


def staff_journeys(
    app: Flask, services: Services, clock: FrozenClock, config: Config
) -> dict[str, str]:
    """A new admin's set-up pages, a wrong then a right sign-in, a personal API token made and
    used, the shared admin key and the token API."""
    setup = services.staff.create("ada", Role.ADMIN, by="test")
    console = ConsoleClient(app.test_client(), clock)
    console.get(f"/admin/setup/{setup}")
    console.post(f"/admin/setup/{setup}", {"password": PASSWORD, "again": PASSWORD})
    secret = services.staff.pending_secret("ada")
    staff = Staff("ada", Role.ADMIN, secret)
    console.get(f"/admin/setup/{setup}/authenticator")
    first_code = staff.code(clock)
    done = console.post(f"/admin/setup/{setup}/authenticator", {"code": first_code})
    assert done.status_code == 302, done.get_data(as_text=True)
    console.post("/admin/logout")
    codes = [first_code, staff.code(clock), staff.code(clock)]
    wrong = {"username": "ada", "password": "wrong " + PASSWORD, "code": codes[1]}
    assert console.post("/admin/login", wrong).status_code == 401
    wrong_code = {"username": "ada", "password": PASSWORD, "code": f"{int(codes[2]) ^ 1:06d}"}
    assert console.post("/admin/login", wrong_code).status_code == 401
    console.sign_in(staff)
    codes.append(pyotp.TOTP(secret).at(clock()))  # the code sign_in typed
    created = console.post("/admin/tokens", {"name": "nightly export"})
    found = STAFF_TOKEN.search(created.get_data(as_text=True))
    assert found, created.get_data(as_text=True)
    token = found.group(1)
    api = app.test_client()
    assert (
        api.get("/admin/api/v1/scenarios", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    bad = api.get("/admin/api/v1/scenarios", headers={"Authorization": f"Bearer {token}x"})
    assert bad.status_code == 401
    shared = {"Authorization": f"Bearer {config.admin_api_key}", "X-Admin-User": "nightly"}
    assert api.get("/admin/api/v1/mfa-config", headers=shared).status_code == 200
    check = api.post(
        "/auth/v1/token/check",
        json={"channel": "whatsapp", "user": AMINA},
        headers={"Authorization": f"Bearer {config.auth_api_key}"},
    )
    assert check.status_code == 200
    return {
        "staff setup token": setup,
        "staff password": PASSWORD,
        "wrong staff password": "wrong " + PASSWORD,
        "totp secret": secret,
        "staff api token": token,
        **{f"staff code {n}": code for n, code in enumerate(codes)},
    }


def test_no_secret_of_a_whole_run_leaks(
    app: Flask,
    whatsapp: WhatsApp,
    secure: SecurePages,
    client: FlaskClient,
    services: Services,
    config: Config,
    clock: FrozenClock,
    outbox: OutboxMessenger,
    live: str,
) -> None:
    errors = ErrorPages().listen(app)
    with captured_logs(app) as logs:
        used, queued = customer_journeys(whatsapp, secure, client, services)
        used |= staff_journeys(app, services, clock, config)
        # Token URLs through a real server: werkzeug logs each request line.
        assert fetch_live(live, used["media path 0"]) == 200
        for what in ("register link", "login link"):
            assert fetch_live(live, f"/secure/login/{used[what]}") == 404  # used or wrong kind
    assert any(line.startswith("werkzeug ") for line in logs.lines)
    assert any(line.startswith("rq.worker ") for line in logs.lines)
    used |= seeded_secrets()
    used |= {
        "auth api key": config.auth_api_key,
        "admin api key": config.admin_api_key,
        "pin pepper": config.pin_pepper,
        "secret key": config.secret_key,
        "dob compact": AMINA_DOB.replace("-", ""),
    }
    assert sum(k.startswith("sms code") for k in used) >= 3
    places = {
        "the logs": logs.text,
        "the audit": audit_text(services.redis),
        "RQ's keys while the jobs waited": queued,
        "RQ's keys after the jobs": redis_text(services.rq_redis, "rq:*"),
    }
    assert "statement" in queued  # the jobs were there to search
    problems = leaks(used, places)
    for page in errors.pages:
        # A page may name its own URL (a form posts back to it): only other secrets count.
        others = {k: v for k, v in used.items() if v not in page.path}
        problems += leaks(others, {f"the {page.status} page of {page.path}": page.body})
    assert len(errors.pages) >= 4
    assert problems == []
