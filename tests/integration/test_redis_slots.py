"""Every Lua script Teller sends keeps its keys in one Redis Cluster hash slot, and touches keys
only through KEYS (so that the keys a caller passes are all the script uses).

The app runs on the session's real Cluster with a client that records each script it registers
and each EVAL/EVALSHA it sends with the keys passed; a journey through registration, logins,
transfers with codes (right and wrong), a PDF statement and its delivery, staff accounts and a
KYC level change exercises them. A real Cluster also refuses a MULTI across slots, so every
transaction of the journey is checked by Redis itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from redis.crc import key_slot

from admin.staff.roles import Role
from app import Config, Services, build_services, create_app
from app.redis_topology import TellerCluster
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_transfer_journeys import past_cooling_off
from tests.documents import run_jobs
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

SCRIPTS: dict[str, str] = {}  # sha1 → Lua source, as registered
CALLS: list[tuple[str, tuple[str, ...]]] = []  # (sha1 or source, keys) of each EVAL/EVALSHA


class RecordingCluster(TellerCluster):
    """The Cluster client Teller builds, noting the scripts and the keys each call passes."""

    def register_script(self, script: Any) -> Any:
        registered = super().register_script(script)
        SCRIPTS[registered.sha] = script if isinstance(script, str) else script.decode()
        return registered

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        name = str(args[0]).upper()
        if name in ("EVAL", "EVALSHA"):
            count = int(args[2])
            CALLS.append((str(args[1]), tuple(str(key) for key in args[3 : 3 + count])))
        return super().execute_command(*args, **kwargs)  # type: ignore[no-untyped-call]


@pytest.fixture
def recorded(
    monkeypatch: pytest.MonkeyPatch, config: Config, clock: FrozenClock
) -> Iterator[Services]:
    monkeypatch.setattr("app.redis_topology.TellerCluster", RecordingCluster)
    SCRIPTS.clear()
    CALLS.clear()
    built = build_services(config, clock=clock)
    yield built
    built.close()


@pytest.mark.parametrize("redis_topology", ["cluster"], indirect=True)
def test_every_script_keeps_its_keys_in_one_slot(recorded: Services, clock: FrozenClock) -> None:
    services = recorded
    app = create_app(services=services)
    app.config.update(TESTING=True)
    client: FlaskClient = app.test_client()
    whatsapp = WhatsApp(client, services.config.twilio_auth_token, services.config.public_base_url)
    assert isinstance(services.messenger, OutboxMessenger)
    secure = SecurePages(app.test_client(), services.messenger)

    past_cooling_off(whatsapp, secure, clock)  # registration, codes, links, a login
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")
    whatsapp.send(AMINA, "150.00")
    assert "we sent a code by SMS" in whatsapp.send(AMINA, "yes").text
    code = secure.last_code(AMINA)
    whatsapp.send(AMINA, str((int(code) + 1) % 1_000_000).zfill(6))  # a wrong try first
    assert whatsapp.send(AMINA, code).text.startswith("Done: USD 150.00 sent")
    whatsapp.send(AMINA, "statement pdf")
    run_jobs(services.rq_redis)  # the receipt and the statement: render, lease, deliver
    whatsapp.send(AMINA, "logout")
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))
    token = services.staff.create("ops", Role.ADMIN, by="test")
    assert services.staff.setup_url(token)

    assert SCRIPTS, "no script was registered on the Cluster client"
    for sha, keys in CALLS:
        slots = {key_slot(key.encode()) for key in keys}
        assert len(slots) <= 1, f"script {sha[:12]} got keys in {len(slots)} slots: {keys}"
    used = {sha for sha, _ in CALLS} | {_sha_of_source(source) for source, _ in CALLS}
    # At least 9 distinct scripts (the token check runs inside the edge's own begin and commit
    # scripts, so it is no longer a call of its own).
    assert len(used & set(SCRIPTS)) >= 9, "the journey ran too few of the stores' scripts"


def _sha_of_source(source: str) -> str:
    """The name Redis gives a script (SHA-1 of its body: Redis's choice, not a security use)."""
    return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize("redis_topology", ["cluster"], indirect=True)
def test_scripts_name_no_key_of_their_own(recorded: Services) -> None:
    """Keys built inside a script (a literal, or KEYS[n] with a suffix) would escape the slot
    check of their caller: every key a script touches must come in KEYS."""
    assert len(SCRIPTS) >= 15, sorted(SCRIPTS)  # every store's scripts, registered at start
    for source in SCRIPTS.values():
        assert "teller:" not in source, source
        assert not re.search(r"KEYS\[\d+\]\s*\.\.", source), source
