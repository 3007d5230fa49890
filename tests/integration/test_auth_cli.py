"""``flask auth status|unblock|block|restore|logout|reset NUMBER``: support staff's tools at a
terminal (the console's rules, ``auth.care``); every change audited, numbers printed masked."""

from __future__ import annotations

from flask import Flask

from app import Services
from auth.ports import Status
from auth.stores.lockout import Kind
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["auth", *args])
    return result.exit_code, result.output


def test_block_restore_unblock_and_status(
    app: Flask, services: Services, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    code, out = run(app, "block", AMINA, "--reason", "lost phone")
    assert code != 0 and "has not registered" in out
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    code, out = run(app, "status", AMINA)
    assert code == 0 and "session:    valid" in out and AMINA not in out
    code, out = run(app, "block", AMINA, "--reason", "lost phone", "--lost-phone")
    assert code == 0 and "lost_phone" in out
    assert services.auth.check(AMINA).status is Status.BLOCKED
    assert "has stopped chat banking on this number" in whatsapp.send(AMINA, "balance").text
    assert run(app, "restore", AMINA)[0] == 0
    assert services.auth.check(AMINA).status is Status.MISSING  # the block ended the session
    for _ in range(5):
        services.auth.lockouts.failure(AMINA, Kind.PIN, services.clock())
    assert services.auth.check(AMINA).status is Status.BLOCKED
    assert run(app, "unblock", AMINA)[0] == 0
    assert services.auth.check(AMINA).status is Status.MISSING
    events = [e.fields["event"] for e in services.auth.audit.entries(customer_id="C001")]
    assert {
        "customer.block",
        "customer.unblock",
        "customer.lift_lockout",
        "logout_everywhere",
    } <= set(events)


def test_bad_and_unknown_numbers(app: Flask) -> None:
    assert run(app, "status", "12345")[0] != 0
    code, out = run(app, "unblock", "+447700900123")
    assert code != 0 and "not in the chat-banking directory" in out and "900123" not in out


def test_logout_reset_and_the_shared_rules(
    app: Flask, services: Services, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    code, out = run(app, "unblock", AMINA)
    assert code == 1 and "nothing to lift" in out
    code, out = run(app, "block", AMINA, "--reason", "lost")
    assert code == 2 and "5 to 200 characters" in out
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    code, out = run(app, "logout", AMINA, "--reason", "customer asked")
    assert code == 0 and "session ended" in out
    assert services.auth.check(AMINA).status is Status.MISSING
    assert run(app, "reset", AMINA, "--reason", "forgot the ID")[0] != 0  # not confirmed
    assert services.auth.credentials.get(AMINA) is not None
    code, out = run(app, "reset", AMINA, "--reason", "forgot the ID", "--yes")
    assert code == 0 and "registration reset" in out and AMINA not in out
    assert services.auth.credentials.get(AMINA) is None
    [entry] = services.auth.audit.entries(count=5, event="customer.reset_registration")
    assert entry.fields["actor"] == "cli" and entry.fields["channel"] == "cli"
