"""Staff actions on a customer's chat banking (``auth.care``), on real Redis: each action's effect
and audit entry, its refusals (saying why), the reason rule, and that money and bank data are
never touched."""

from __future__ import annotations

import pytest

from app import Services
from auth.care import Actor, Refused, reason_problem
from auth.ports import Status
from auth.stores.credentials import AccountStatus, StatusRefused
from auth.stores.links import Purpose
from auth.stores.lockout import Kind
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

OPS = Actor("olu.ops", "console", "10.0.0.7")


def register(whatsapp: WhatsApp, secure: SecurePages) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)


def last(services: Services, event: str) -> dict[str, str]:
    [entry] = services.auth.audit.entries(count=1, event=event)
    return dict(entry.fields)


def status(services: Services) -> AccountStatus | None:
    creds = services.auth.credentials.get(AMINA)
    return creds.status if creds else None


def sms(outbox: OutboxMessenger) -> list[str]:
    return [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "sms"]


def fail(services: Services, kind: Kind, times: int = 5) -> None:
    for _ in range(times):
        services.auth.lockouts.failure(AMINA, kind, services.clock())


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("", "Say why"),
        ("  ok  ", "Say why"),
        ("x" * 201, "Keep it to 200"),
        ("called from 0803 000 0001", "Leave out full"),
        ("card 5399831234564242 lost", "Leave out full"),
    ],
)
def test_a_reason_is_5_to_200_characters_with_no_full_number(reason: str, problem: str) -> None:
    found = reason_problem(reason)
    assert found is not None and found.startswith(problem)


def test_a_good_reason_passes() -> None:
    assert reason_problem("customer called: phone ••0001 stolen") is None
    assert reason_problem("x" * 200) is None


def test_block_ends_access_audits_and_tells_the_customer(
    services: Services, whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    care = services.care
    with pytest.raises(Refused, match="has not registered for chat banking: nothing to block"):
        care.block(AMINA, "C001", "fraud report", OPS)
    register(whatsapp, secure)
    assert services.auth.check(AMINA).status is Status.VALID
    login = services.auth.links.issue(Purpose.LOGIN, AMINA, "C001", services.clock())
    with pytest.raises(Refused) as bad:
        care.block(AMINA, "C001", "no", OPS)
    assert bad.value.field == "reason"
    assert status(services) is AccountStatus.REGISTERED

    assert care.block(AMINA, "C001", "fraud report  from\nthe branch", OPS) is AccountStatus.BLOCKED
    creds = services.auth.credentials.get(AMINA)
    assert creds is not None and creds.status is AccountStatus.BLOCKED
    assert creds.status_reason == "fraud report from the branch"
    check = services.auth.check(AMINA)
    assert check.status is Status.BLOCKED and check.blocked_by == "bank"
    assert services.auth.open_link(login.token, Purpose.LOGIN) is None  # links ended
    entry = last(services, "customer.block")
    assert entry["actor"] == "olu.ops" and entry["channel"] == "console"
    assert entry["reason"] == "fraud report from the branch" and entry["kind"] == "blocked"
    assert entry["customer"] == "C001" and AMINA not in entry.values()
    assert entry["address"] == "10.0.0.7"
    assert last(services, "logout_everywhere")["channel"] == "console"
    assert "the bank blocked chat banking" in sms(outbox)[-1]
    assert "has stopped chat banking on this number" in whatsapp.send(AMINA, "balance").text

    with pytest.raises(Refused, match=r"is already blocked by the bank \(blocked\)"):
        care.block(AMINA, "C001", "second report", OPS)


def test_a_lost_phone_gets_no_sms(
    services: Services, whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    register(whatsapp, secure)
    before = len(sms(outbox))
    services.care.block(AMINA, "C001", "reported stolen at branch", OPS, lost_phone=True)
    assert status(services) is AccountStatus.LOST_PHONE
    assert len(sms(outbox)) == before
    assert last(services, "customer.block")["kind"] == "lost_phone"


def test_restore_only_undoes_a_block_by_the_bank(
    services: Services, whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    care = services.care
    with pytest.raises(Refused, match="has not registered for chat banking: nothing to unblock"):
        care.restore(AMINA, "C001", "customer found phone", OPS)
    register(whatsapp, secure)
    fail(services, Kind.PIN)
    with pytest.raises(
        Refused, match=r"is not blocked by the bank.*a lockout holds until .*lift it"
    ):
        care.restore(AMINA, "C001", "customer found phone", OPS)
    services.auth.lockouts.lift(AMINA)
    care.block(AMINA, "C001", "lost phone", OPS, lost_phone=True)
    care.restore(AMINA, "C001", "customer found phone", OPS)
    creds = services.auth.credentials.get(AMINA)
    assert creds is not None and creds.status is AccountStatus.REGISTERED
    assert creds.status_reason == ""
    assert services.auth.check(AMINA).status is Status.MISSING  # logs in again
    entry = last(services, "customer.unblock")
    assert entry["reason"] == "customer found phone" and entry["actor"] == "olu.ops"
    assert "was restored" in sms(outbox)[-1]


def test_lift_a_lockout_per_kind(services: Services) -> None:
    care = services.care
    with pytest.raises(Refused, match="has no lockout in force and no failed attempts counted"):
        care.lift_lockout(AMINA, "C001", "customer verified by phone", OPS)
    fail(services, Kind.PIN)
    fail(services, Kind.CODE, 2)
    lifted = care.lift_lockout(AMINA, "C001", "customer verified by phone", OPS, [Kind.PIN])
    assert lifted == [Kind.PIN]
    standing = {s.kind: s for s in services.auth.lockouts.standing(AMINA, services.clock())}
    assert standing[Kind.PIN].blocked_until is None and standing[Kind.PIN].failures == 0
    assert standing[Kind.PIN].strikes == 1  # the next block is still longer
    assert standing[Kind.CODE].failures == 2
    assert last(services, "customer.lift_lockout")["kind"] == "pin"
    assert care.lift_lockout(AMINA, "C001", "customer verified by phone", OPS) == [Kind.CODE]
    assert services.auth.check(AMINA).status is Status.MISSING


def test_reset_registration_lets_the_customer_register_again(
    services: Services, whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    care = services.care
    with pytest.raises(Refused, match="has not registered for chat banking: nothing to reset"):
        care.reset_registration(AMINA, "C001", "customer forgot ID", OPS)
    register(whatsapp, secure)
    balances = [a.balance for a in services.bank.accounts("C001")]
    payees = services.bank.payees("C001")
    fail(services, Kind.CODE)
    care.reset_registration(AMINA, "C001", "customer forgot ID", OPS)
    assert services.auth.credentials.get(AMINA) is None
    assert services.auth.credentials.owner_of("amina.y") is None  # the ID is free again
    assert services.auth.lockouts.blocked_until(AMINA, Kind.CODE, services.clock()) is not None
    assert [a.balance for a in services.bank.accounts("C001")] == balances
    assert services.bank.payees("C001") == payees
    entry = last(services, "customer.reset_registration")
    assert entry["reason"] == "customer forgot ID" and entry["actor"] == "olu.ops"
    assert "registration was reset" in sms(outbox)[-1]
    services.auth.lockouts.lift(AMINA)
    reply = whatsapp.send(AMINA, "balance").text
    assert "/secure/register/" in reply
    secure.register(link_in(reply), AMINA)  # the same ID again
    assert services.auth.credentials.owner_of("amina.y") == AMINA


def test_reset_is_refused_while_the_bank_blocks(
    services: Services, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    register(whatsapp, secure)
    services.care.block(AMINA, "C001", "lost phone", OPS, lost_phone=True)
    with pytest.raises(Refused, match=r"phone reported lost.*a reset would lift the block"):
        services.care.reset_registration(AMINA, "C001", "customer forgot ID", OPS)
    assert services.auth.credentials.get(AMINA) is not None


def test_end_sessions(services: Services, whatsapp: WhatsApp, secure: SecurePages) -> None:
    care = services.care
    login = services.auth.links.issue(Purpose.REGISTER, AMINA, "C001", services.clock())
    assert care.end_sessions(AMINA, "C001", "customer asked on the phone", OPS) is False
    assert services.auth.open_link(login.token, Purpose.REGISTER) is None
    assert last(services, "customer.end_sessions")["result"] == "no_session"
    register(whatsapp, secure)
    assert care.end_sessions(AMINA, "C001", "customer asked on the phone", OPS) is True
    assert services.auth.check(AMINA).status is Status.MISSING
    assert last(services, "customer.end_sessions")["result"] == "ok"
    assert "log in" in whatsapp.send(AMINA, "balance").text.lower()


def test_a_status_change_never_recreates_deleted_credentials(services: Services) -> None:
    store = services.auth.credentials
    with pytest.raises(StatusRefused) as refused:
        store.transition(
            AMINA, frozenset({AccountStatus.REGISTERED}), AccountStatus.BLOCKED, "late"
        )
    assert refused.value.current is None
    assert not services.redis.exists(f"teller:{{{AMINA}}}:cred")
