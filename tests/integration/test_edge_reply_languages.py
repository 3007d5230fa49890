"""The replies the edge writes itself, in the customer's language, against real Redis: a
message that finds the customer's lock taken is told to wait in the language the claim's
script read beside the lock (no round trip of its own), a failure after the claim is answered
in the language the claim read, and Redis down at the claim in the language this process last
read for the number (English for a number it hasn't seen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import bank.db
from app import DEMO_SEED, Config, Services, build_services, create_app
from auth.stores.languages import LanguageStore
from bot.dispatch import Dispatcher
from flows.responses import CATALOG
from messaging.languages import text
from tests.conftest import AMINA, BASE_URL, STRANGER
from tests.conversations.test_bank_busy import write_locked
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp, new_sid
from tests.redis_server import RedisServer
from tests.secure_pages import SecurePages

LOCK = "teller:{{{msisdn}}}:lock"


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bank's busy timeout, shortened so the test needn't wait it out."""
    monkeypatch.setattr(bank.db, "BUSY_TIMEOUT_S", 0.3)


def in_language(key: str, language: str) -> str:
    return text(key, CATALOG[key], language).format(bank="Demo Bank")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_held_lock_is_answered_in_the_customers_language(
    whatsapp: WhatsApp, services: Services, language: str
) -> None:
    LanguageStore(services.redis).set(AMINA, language)
    services.redis.set(LOCK.format(msisdn=AMINA), "someone-else", px=60_000)
    busy = whatsapp.send(AMINA, "menu", sid=new_sid())
    assert busy.text == in_language("error.busy", language)
    assert busy.text != CATALOG["error.busy"]


def test_a_held_lock_of_a_number_without_a_language_is_answered_in_english(
    whatsapp: WhatsApp, services: Services
) -> None:
    services.redis.set(LOCK.format(msisdn=STRANGER), "someone-else", px=60_000)
    assert whatsapp.send(STRANGER, "hi").text == CATALOG["error.busy"]


@pytest.mark.usefixtures("short_busy_timeout")
def test_the_bank_busy_after_the_claim_says_try_again_in_the_customers_language(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, config: Config
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "مرحبا")  # Arabic from now on
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")
    whatsapp.send(AMINA, "150")
    whatsapp.send(AMINA, "نعم")
    code = secure.last_code(AMINA)
    with write_locked(config):  # the bank's write lock held elsewhere: BankUnavailable
        reply = whatsapp.send(AMINA, code)
    assert reply.status == 200 and reply.text == in_language("error.try_again", "ar")
    assert services.bank.ledger_problems() == []
    # Nothing was kept: the lock is free and the next message is handled.
    assert not services.redis.exists(LOCK.format(msisdn=AMINA))
    assert whatsapp.send(AMINA, "menu").text.startswith("مرحبًا بك في Demo Bank")


def test_a_menu_word_of_another_language_is_answered_in_it_even_when_it_fails(
    whatsapp: WhatsApp, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("a bug")

    # A bug in the conversation (no dependency failed): the one place a test breaks our code.
    monkeypatch.setattr(Dispatcher, "_process", broken)
    reply = whatsapp.send(AMINA, "bonjour")
    assert reply.status == 200 and reply.text == in_language("error.unexpected", "fr")
    assert "Traceback" not in reply.text


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


def test_redis_down_at_the_claim_says_try_again_in_the_language_last_read(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    config = Config(
        redis_url=own_redis.url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(DEMO_SEED),
    )
    services = build_services(config, clock=FrozenClock())
    whatsapp = WhatsApp(
        create_app(services=services).test_client(), config.twilio_auth_token, BASE_URL
    )
    whatsapp.send(AMINA, "bonjour")  # French, read (and remembered) with each claim
    whatsapp.send(AMINA, "menu")

    own_redis.stop()
    down = whatsapp.send(AMINA, "7")
    assert down.status == 200 and down.text == in_language("error.try_again", "fr")
    # A number this process hasn't seen: English; a menu word says which language it wants.
    assert whatsapp.send(STRANGER, "hi").text == CATALOG["error.try_again"]
    assert whatsapp.send(STRANGER, "مرحبا").text == in_language("error.try_again", "ar")

    own_redis.start()  # an empty Redis (this one keeps nothing): the language is gone too
    back = whatsapp.send(AMINA, "menu")
    assert back.status == 200 and back.text.startswith("Welcome to Demo Bank")
