"""``flask --app app whatsapp sync-content`` against a fake Twilio server on loopback, through
Twilio's own client: it creates the templates once, a second run creates nothing, a changed
definition replaces its template, only definitions with a category are submitted for WhatsApp
approval (once), and the SIDs and approval states land in ``whatsapp:content``. The notices'
templates exist in every catalog language, each created with its ``language`` and the body of
that language's text and submitted under its own name; the yes/no buttons likewise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from twilio.rest import Client

from app import Config, Services, build_services, create_app
from bot.content.definitions import ContentDefinition, interactive, list_name, registry
from bot.content.store import CONTENT_KEY, ContentStore
from bot.content.sync import sync, sync_local
from bot.messenger import TwilioMessenger
from bot.notice_templates import templates
from tests.fake_twilio_server import (
    SID,
    FakeTwilioServer,
    Fault,
    loopback_services,
    twilio_config,
)
from tests.fakes import FrozenClock

ALL = registry()
INTERACTIVE = interactive()
NOTICE_TEMPLATES = templates()


def named(name: str) -> ContentDefinition:
    return next(d for d in INTERACTIVE if d.friendly_name == name)


NOTICE = ContentDefinition.from_dict(
    {
        "friendly_name": "teller_notice_refund",
        "language": "en",
        "variables": {"1": "USD 150.00", "2": "Chidi O."},
        "types": {"twilio/text": {"body": "Your {{1}} to {{2}} was refunded. Reply menu."}},
        "category": "UTILITY",
    }
)


@pytest.fixture
def server(config: Config) -> Iterator[FakeTwilioServer]:
    running = FakeTwilioServer(SID, config.twilio_auth_token).start()
    yield running
    running.stop()


@pytest.fixture
def services(config: Config, clock: FrozenClock, server: FakeTwilioServer) -> Iterator[Services]:
    built = loopback_services(twilio_config(config), server, clock=clock)
    yield built
    built.close()


def stored(services: Services) -> dict[str, dict[str, str]]:
    raw: dict[str, str] = services.redis.hgetall(CONTENT_KEY)  # type: ignore[assignment]
    return {name: json.loads(value) for name, value in raw.items()}


def creates(server: FakeTwilioServer) -> int:
    return sum(1 for c in server.calls if c.path == "/v1/Content" and c.form)


def client_of(services: Services) -> Client:
    assert isinstance(services.messenger, TwilioMessenger)
    return services.messenger.client


def test_the_command_creates_every_template_once(
    services: Services, server: FakeTwilioServer
) -> None:
    app: Flask = create_app(services=services)
    first = app.test_cli_runner().invoke(args=["whatsapp", "sync-content"])
    assert first.exit_code == 0, first.output
    assert f"{len(ALL)} templates stored in whatsapp:content" in first.output
    assert f"{list_name(10)}: created" in first.output
    assert creates(server) == len(ALL)
    kept = stored(services)
    assert set(kept) == {d.friendly_name for d in ALL}
    assert {c["sid"] for c in server.contents()} == {v["sid"] for v in kept.values()}
    # Buttons and lists are session-only: never submitted. The notices' templates (for outside
    # the 24-hour window, bot.notice_templates) are submitted once each and wait for WhatsApp.
    approvals = {name: v["approval"] for name, v in kept.items()}
    assert {approvals[d.friendly_name] for d in INTERACTIVE} == {"unsubmitted"}
    assert {approvals[name] for name in NOTICE_TEMPLATES} == {"pending"}
    submitted = [c for c in server.calls if "ApprovalRequests" in c.path and c.form]
    assert len(submitted) == len(NOTICE_TEMPLATES)
    body = next(c for c in server.contents() if c["friendly_name"] == list_name(2))
    assert body["types"] == {
        "twilio/list-picker": dict(named(list_name(2)).types["twilio/list-picker"])
    }
    again = app.test_cli_runner().invoke(args=["whatsapp", "sync-content"])
    assert again.exit_code == 0 and f"{list_name(10)}: unchanged" in again.output
    assert creates(server) == len(ALL)  # nothing new: idempotent
    assert stored(services) == kept


def test_a_changed_definition_replaces_its_template_and_a_dropped_one_is_forgotten(
    services: Services, server: FakeTwilioServer
) -> None:
    store = ContentStore(services.redis, cache_s=0)
    sync(client_of(services), store, INTERACTIVE)
    old = stored(services)[list_name(3)]["sid"]
    changed = replace(named(list_name(3)), variables={**named(list_name(3)).variables, "2": "Pick"})
    assert changed.friendly_name == list_name(3)
    wanted = [changed if d.friendly_name == list_name(3) else d for d in INTERACTIVE[:-1]]
    report = sync(client_of(services), store, wanted)
    assert report.replaced == [list_name(3)] and report.created == []
    assert report.forgotten == [list_name(10)]
    new = stored(services)[list_name(3)]["sid"]
    assert new != old
    sids = {c["sid"] for c in server.contents()}
    assert new in sids and old not in sids  # the old template was deleted
    assert list_name(10) not in stored(services)


def test_a_template_with_a_category_is_submitted_once_and_its_approval_followed(
    services: Services, server: FakeTwilioServer
) -> None:
    store = ContentStore(services.redis, cache_s=0)
    client = client_of(services)
    report = sync(client, store, [NOTICE])
    assert report.submitted == ["teller_notice_refund"]
    entry = stored(services)["teller_notice_refund"]
    assert entry["approval"] == "pending"
    approval = [c for c in server.calls if c.path.endswith("/ApprovalRequests/whatsapp")]
    assert [json.loads(c.form["category"][0]) for c in approval] == ["UTILITY"]
    assert store.sendable("teller_notice_refund") == entry["sid"]  # usable in a session
    assert store.any_sendable()
    server.set_approval(entry["sid"], "approved")
    again = sync(client, store, [NOTICE])
    assert again.submitted == [] and again.kept == ["teller_notice_refund"]
    assert stored(services)["teller_notice_refund"] == {"sid": entry["sid"], "approval": "approved"}
    server.set_approval(entry["sid"], "rejected")
    sync(client, store, [NOTICE])
    assert stored(services)["teller_notice_refund"]["approval"] == "rejected"
    assert store.sendable("teller_notice_refund") is None  # a rejected template is never sent
    assert not store.any_sendable()  # replies with choices then skip planning: text


def test_twilio_refusing_leaves_what_was_stored(
    services: Services, server: FakeTwilioServer
) -> None:
    app = create_app(services=services)
    assert app.test_cli_runner().invoke(args=["whatsapp", "sync-content"]).exit_code == 0
    kept = stored(services)
    server.fail_all(Fault.ERROR_500)
    failed = app.test_cli_runner().invoke(args=["whatsapp", "sync-content"])
    assert failed.exit_code != 0
    assert "templates stored before this run are unchanged" in failed.output
    assert "Traceback" not in failed.output
    assert stored(services) == kept


def test_the_outbox_registers_local_templates_without_twilio(config: Config) -> None:
    built = build_services(replace(config, outbox_content=True))
    try:
        found = ContentStore(built.redis, cache_s=0).all()
        assert set(found) == {d.friendly_name for d in ALL}
        again = sync_local(ContentStore(built.redis), ALL)
        assert again.created == [] and len(again.kept) == len(ALL)  # stable local SIDs
    finally:
        built.close()


def test_the_notices_and_yes_no_buttons_are_created_in_every_language_once(
    services: Services, server: FakeTwilioServer
) -> None:
    app = create_app(services=services)
    assert app.test_cli_runner().invoke(args=["whatsapp", "sync-content"]).exit_code == 0
    created = {c["friendly_name"]: c for c in server.contents()}
    french = created["teller_kyc_rejected_fr"]
    assert french["language"] == "fr"
    assert french["types"]["twilio/text"]["body"].startswith(
        "Désolé, {{1}} n'a pas pu approuver votre relèvement KYC : {{2}}."
    )
    assert french["variables"]["2"] == "le justificatif de domicile date de plus de 3 mois"
    arabic = created["teller_claim_refunded_sender_ar"]
    assert arabic["language"] == "ar"
    assert arabic["types"]["twilio/text"]["body"] == (
        "لم يُستلم مبلغ {{1}} الذي أرسلته إلى {{2}} (المرجع {{3}}) خلال 7 أيام، لذا أُعيد إلى "
        "حسابك {{4}} كاملاً."
    )
    english = created["teller_kyc_rejected_en"]
    assert english["language"] == "en" and english["types"]["twilio/text"]["body"].startswith(
        "Sorry, {{1}} couldn't approve your KYC upgrade: {{2}}."
    )
    buttons = created["teller_yes_no_ar"]["types"]["twilio/quick-reply"]["actions"]
    assert [b["title"] for b in buttons] == ["نعم", "لا"]
    # Each language's template is submitted under its own name, once.
    submitted = [
        json.loads(c.form["name"][0]) for c in server.calls if c.path.endswith("/whatsapp")
    ]
    assert sorted(submitted) == sorted(NOTICE_TEMPLATES)
    assert {"teller_kyc_rejected_fr", "teller_kyc_rejected_ar"} <= set(submitted)
    kept = stored(services)
    assert kept["teller_kyc_rejected_fr"]["approval"] == "pending"
    assert kept["teller_kyc_rejected_en"]["sid"] == english["sid"]  # English keeps its field
    # A second run creates and submits nothing in any language.
    before = len(server.calls)
    again = app.test_cli_runner().invoke(args=["whatsapp", "sync-content"])
    assert again.exit_code == 0 and "teller_kyc_rejected_ar: unchanged" in again.output
    later = server.calls[before:]
    assert not [c for c in later if c.form and (c.path == "/v1/Content" or "Approval" in c.path)]
    assert stored(services) == kept
