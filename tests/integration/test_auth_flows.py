"""Registration, login and change of PIN at the service level (``auth.registration``,
``auth.login``) with the real services on Redis and the demo bank: refusals that never say which
factor was wrong, lockouts that hold even for the right answer, nothing written before the last
registration step, an audit trail without secrets, and SMS notices in the outbox.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pyotp
import pytest

from app import Services
from auth import login as login_steps
from auth import registration as reg
from auth.attempts import Attempt
from auth.ports import Status
from auth.stores.audit import AuditEntry
from auth.stores.codes import SendRefused
from auth.stores.credentials import CRED_KEY, LOGIN_ID_KEY, AccountStatus, Credentials
from auth.stores.links import Link, Purpose
from auth.stores.lockout import Kind
from auth.stores.sessions import SESSION_KEY
from bot.messenger import OutboxMessenger
from tests.fakes import FrozenClock

AMINA, CHIDI, BOLA, DAYO = (f"+234803000000{n}" for n in (1, 2, 3, 4))
# (customer, date of birth, last 4 of the national ID) in bank/seeds/demo.json
DETAILS = {
    AMINA: ("C001", "1990-04-12", "8901"),
    CHIDI: ("C002", "1985-11-23", "8902"),
    BOLA: ("C003", "1999-06-01", "8903"),
    DAYO: ("C004", "1978-01-30", "8904"),
}
PIN, NEW_PIN, WRONG_PIN = "495817", "730518", "472950"
ANSWERS = {"q1": "Queens College", "q3": "Bingo", "q6": "Allen Avenue"}
ADDRESS, AGENT = "102.89.23.7", "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile"
_CODE = re.compile(r"\b(\d{6}) is your code")


def link_for(services: Services, msisdn: str, purpose: Purpose) -> Link:
    return services.auth.links.issue(purpose, msisdn, DETAILS[msisdn][0], services.clock())


def fresh(services: Services, link: Link) -> Link:
    """The link as the next request would load it (with the state the last step saved)."""
    found = services.auth.open_link(link.token, link.purpose)
    assert found is not None
    return found


def last_code(outbox: OutboxMessenger, msisdn: str) -> str:
    for message in reversed(outbox.messages(msisdn)):
        found = _CODE.search(message["body"])
        if found:
            return found.group(1)
    raise AssertionError("no code was sent")


def other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def sms_bodies(outbox: OutboxMessenger, msisdn: str) -> list[str]:
    return [m["body"] for m in outbox.messages(msisdn) if m["channel"] == "sms"]


def verified_link(services: Services, outbox: OutboxMessenger, msisdn: str) -> Link:
    """A registration link past its details step."""
    link = link_for(services, msisdn, Purpose.REGISTER)
    reg.send_code(services.auth, link)
    _, dob, nin = DETAILS[msisdn]
    attempt = reg.verify_details(services.auth, link, dob, nin, last_code(outbox, msisdn), ADDRESS)
    assert attempt == Attempt.done()
    return fresh(services, link)


def at_authenticator(services: Services, outbox: OutboxMessenger, msisdn: str) -> Link:
    link = verified_link(services, outbox, msisdn)
    assert reg.choose_credentials(services.auth, link, "amina.y", PIN, PIN) == Attempt.done()
    link = fresh(services, link)
    assert reg.choose_questions(services.auth, link, ANSWERS) == Attempt.done()
    return fresh(services, link)


def registered(services: Services, msisdn: str, login_id: str = "amina.y") -> None:
    """Credentials written directly (one argon2 hash), for the login and PIN-change tests."""
    auth = services.auth
    customer_id, dob, _ = DETAILS[msisdn]
    auth.credentials.reserve_login_id(login_id, msisdn)
    auth.credentials.create(
        Credentials(
            msisdn=msisdn,
            customer_id=customer_id,
            login_id=login_id,
            pin_hash=auth.hasher.hash("pin", PIN),
            status=AccountStatus.REGISTERED,
            registered_at=services.clock(),
            dob_marks=tuple(auth.hasher.dob_marks(date.fromisoformat(dob))),
        )
    )


def log_in(services: Services, msisdn: str, login_id: str, pin: str) -> Attempt:
    link = link_for(services, msisdn, Purpose.LOGIN)
    return login_steps.login(services.auth, link, login_id, pin, ADDRESS, AGENT)


def audit_text(entries: list[AuditEntry]) -> str:
    """Every entry's data; not the chain's prev and digest (hex SHA-256, no one's secret)."""
    chain = ("prev", "digest")
    return "\n".join(f"{k}={v}" for e in entries for k, v in e.fields.items() if k not in chain)


# --- registration ---


def test_wrong_dob_nin_or_code_get_one_neutral_refusal(
    services: Services, outbox: OutboxMessenger
) -> None:
    def first_try(msisdn: str, dob_ok: bool, nin_ok: bool, code_ok: bool) -> Attempt:
        link = link_for(services, msisdn, Purpose.REGISTER)
        reg.send_code(services.auth, link)
        _, dob, nin = DETAILS[msisdn]
        code = last_code(outbox, msisdn)
        return reg.verify_details(
            services.auth,
            link,
            dob if dob_ok else "1990-04-13",
            nin if nin_ok else "0000",
            code if code_ok else other(code),
            ADDRESS,
        )

    wrong_dob = first_try(AMINA, False, True, True)
    wrong_nin = first_try(CHIDI, True, False, True)
    wrong_code = first_try(BOLA, True, True, False)
    all_wrong = first_try(DAYO, False, False, False)
    assert wrong_dob == wrong_nin == wrong_code == all_wrong
    assert wrong_dob == Attempt(ok=False, remaining=4)


def test_without_a_live_code_right_and_wrong_details_look_the_same(services: Services) -> None:
    right_link = link_for(services, AMINA, Purpose.REGISTER)
    wrong_link = link_for(services, CHIDI, Purpose.REGISTER)
    right = reg.verify_details(services.auth, right_link, "1990-04-12", "8901", "123456", ADDRESS)
    wrong = reg.verify_details(services.auth, wrong_link, "1985-11-24", "8902", "123456", ADDRESS)
    assert right == wrong


def test_malformed_details_are_not_counted(services: Services) -> None:
    link = link_for(services, AMINA, Purpose.REGISTER)
    attempt = reg.verify_details(services.auth, link, "12/04/1990", "89O1", "12345", ADDRESS)
    assert attempt == Attempt.invalid(
        "Enter your date of birth: day, month and year.",
        "Enter the last 4 digits of your national ID number.",
        "Enter the 6-digit code we sent you by SMS.",
    )
    future = (services.clock() + timedelta(days=1)).date().isoformat()
    assert reg.verify_details(services.auth, link, future, "8901", "123456", ADDRESS).problems
    assert services.auth.lockouts.remaining(AMINA, Kind.DETAILS) == 5
    assert services.auth.lockouts.remaining(AMINA, Kind.CODE) == 5


def test_five_wrong_details_block_even_the_right_ones(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    link = link_for(services, AMINA, Purpose.REGISTER)
    reg.send_code(services.auth, link)
    attempts = [
        reg.verify_details(services.auth, link, "1990-04-13", "8901", "000000", ADDRESS)
        for _ in range(5)
    ]
    assert [a.remaining for a in attempts] == [4, 3, 2, 1, 0]
    until = clock.now + timedelta(minutes=15)
    assert attempts[-1] == Attempt(ok=False, remaining=0, blocked_until=until)
    assert reg.verify_details(services.auth, link, "1990-04-12", "8901", "000000", ADDRESS) == (
        Attempt.blocked(until)
    )
    with pytest.raises(SendRefused):
        reg.send_code(services.auth, link)
    assert services.auth.check(AMINA).status is Status.BLOCKED
    assert any("blocked" in body for body in sms_bodies(outbox, AMINA))

    clock.advance(minutes=16)
    assert verified_link(services, outbox, AMINA) is not None


def test_registration_writes_nothing_until_finish(
    services: Services, outbox: OutboxMessenger
) -> None:
    def nothing_written() -> None:
        assert services.auth.credentials.get(AMINA) is None
        assert services.redis.exists(CRED_KEY.format(msisdn=AMINA)) == 0
        check = services.auth.check(AMINA)
        assert (check.status, check.registered) == (Status.MISSING, False)

    link = link_for(services, AMINA, Purpose.REGISTER)
    assert reg.step(link) == "details"
    reg.send_code(services.auth, link)
    nothing_written()
    code = last_code(outbox, AMINA)
    assert reg.verify_details(services.auth, link, "1990-04-12", "8901", code, ADDRESS).ok
    link = fresh(services, link)
    assert reg.step(link) == "credentials"
    nothing_written()
    assert reg.choose_credentials(services.auth, link, "amina.y", PIN, PIN).ok
    link = fresh(services, link)
    assert reg.step(link) == "questions"
    assert services.auth.credentials.owner_of("amina.y") == AMINA  # reserved, with a TTL
    assert services.redis.ttl(LOGIN_ID_KEY.format(folded="amina.y")) > 0
    nothing_written()
    assert reg.choose_questions(services.auth, link, ANSWERS).ok
    link = fresh(services, link)
    assert reg.step(link) == "authenticator"
    nothing_written()

    assert reg.finish(services.auth, link, None, ADDRESS, AGENT) == Attempt.done()
    creds = services.auth.credentials.get(AMINA)
    assert creds is not None
    assert (creds.customer_id, creds.login_id, creds.status) == (
        "C001",
        "amina.y",
        AccountStatus.REGISTERED,
    )
    assert creds.totp_secret == ""
    assert [q.question_id for q in creds.questions] == ["q1", "q3", "q6"]
    assert services.auth.hasher.verify(creds.pin_hash, "pin", PIN)
    assert services.redis.ttl(LOGIN_ID_KEY.format(folded="amina.y")) == -1
    check = services.auth.check(AMINA)
    assert (check.status, check.registered) == (Status.VALID, True)
    assert services.auth.open_link(link.token, Purpose.REGISTER) is None  # used up
    assert reg.finish(services.auth, link, None, ADDRESS, AGENT) == Attempt.link_gone()
    assert any("registered for chat banking" in body for body in sms_bodies(outbox, AMINA))


def test_credentials_step_refuses_weak_pins_and_taken_ids(
    services: Services, outbox: OutboxMessenger
) -> None:
    registered(services, CHIDI, login_id="chidi.o")
    link = verified_link(services, outbox, AMINA)
    auth = services.auth
    assert reg.choose_credentials(auth, link, "amina.y", "120490", "120490").problems == (
        "Don't use your date of birth.",
    )
    assert reg.choose_credentials(auth, link, "amina.y", "123456", "123456").problems == (
        "Don't use digits in a row, such as 123456.",
    )
    assert reg.choose_credentials(auth, link, "amina.y", PIN, NEW_PIN).problems == (
        "The two PINs don't match.",
    )
    assert reg.choose_credentials(auth, link, "2348030000001", PIN, PIN).problems == (
        "Don't use your phone number as your ID.",
    )
    assert reg.choose_credentials(auth, link, "CHIDI.O", PIN, PIN).problems == (
        "That chat-banking ID is taken. Please choose another.",
    )
    assert reg.step(fresh(services, link)) == "credentials"
    assert reg.choose_credentials(auth, link, "amina.y", PIN, PIN).ok
    assert auth.credentials.owner_of("amina.y") == AMINA
    # Each step only in its turn: the credentials can't be chosen again from a later step.
    assert reg.choose_credentials(auth, fresh(services, link), "amina.z", PIN, PIN).gone
    assert auth.credentials.owner_of("amina.z") is None


def test_questions_step_refuses_bad_choices(services: Services, outbox: OutboxMessenger) -> None:
    link = verified_link(services, outbox, AMINA)
    assert reg.choose_credentials(services.auth, link, "amina.y", PIN, PIN).ok
    link = fresh(services, link)
    refused = reg.choose_questions(services.auth, link, {"q1": "Bingo", "q3": "bingo"})
    assert refused.problems
    assert reg.step(fresh(services, link)) == "questions"


def test_authenticator_is_enabled_with_a_valid_code_only(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    link = at_authenticator(services, outbox, AMINA)
    secret, uri, qr = reg.authenticator_setup(services.auth, link)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert qr.startswith("data:image/svg+xml")
    otp = pyotp.TOTP(secret)
    current, previous = otp.at(clock.now), otp.at(clock.now - timedelta(seconds=30))
    wrong = next(
        c
        for c in (otp.at(clock.now + timedelta(minutes=m)) for m in range(5, 60))
        if c not in (current, previous)
    )

    refused = reg.finish(services.auth, link, wrong, ADDRESS, AGENT)
    assert not refused.ok and refused.problems and refused.remaining is None
    assert services.auth.credentials.get(AMINA) is None
    assert reg.finish(services.auth, link, "abc", ADDRESS, AGENT).problems

    assert reg.finish(services.auth, link, current, ADDRESS, AGENT) == Attempt.done()
    creds = services.auth.credentials.get(AMINA)
    assert creds is not None
    assert creds.totp_secret == secret
    assert creds.totp_step == int(clock.now.timestamp()) // 30
    # The step used to enable it can't be used again.
    assert not services.auth.credentials.accept_totp_step(AMINA, creds.totp_step)


# --- login ---


def test_wrong_id_wrong_pin_and_unknown_customer_look_the_same(services: Services) -> None:
    registered(services, AMINA)
    registered(services, CHIDI, login_id="chidi.o")
    wrong_id = log_in(services, AMINA, "amina.z", PIN)
    wrong_pin = log_in(services, CHIDI, "chidi.o", WRONG_PIN)
    not_registered = log_in(services, BOLA, "bola.a", PIN)
    someone_elses_id = log_in(services, DAYO, "amina.y", PIN)
    assert wrong_id == wrong_pin == not_registered == someone_elses_id
    assert wrong_id == Attempt(ok=False, remaining=4)
    assert services.auth.check(AMINA).status is Status.MISSING


def test_login_accepts_the_id_in_any_case(services: Services) -> None:
    registered(services, AMINA)
    assert log_in(services, AMINA, "  AMINA.Y ", PIN) == Attempt.done()
    assert services.auth.check(AMINA).status is Status.VALID
    assert services.auth.recent_logins(AMINA)[0].address == "102.89.•.•"


def test_empty_fields_are_not_counted(services: Services) -> None:
    registered(services, AMINA)
    assert log_in(services, AMINA, " ", PIN).problems
    assert log_in(services, AMINA, "amina.y", "").problems
    assert services.auth.lockouts.remaining(AMINA, Kind.PIN) == 5


def test_five_wrong_pins_block_and_the_block_passes(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    registered(services, AMINA)
    link = link_for(services, AMINA, Purpose.LOGIN)
    attempts = [
        login_steps.login(services.auth, link, "amina.y", WRONG_PIN, ADDRESS, AGENT)
        for _ in range(5)
    ]
    until = clock.now + timedelta(minutes=15)
    assert [a.remaining for a in attempts] == [4, 3, 2, 1, 0]
    assert attempts[-1].blocked_until == until
    right = login_steps.login(services.auth, link, "amina.y", PIN, ADDRESS, AGENT)
    assert right == Attempt.blocked(until)
    assert services.auth.check(AMINA).status is Status.BLOCKED
    blocked_sms = [body for body in sms_bodies(outbox, AMINA) if "blocked" in body]
    assert len(blocked_sms) == 1

    clock.advance(minutes=14)
    assert log_in(services, AMINA, "amina.y", PIN) == Attempt.blocked(until)
    clock.advance(minutes=2)
    assert log_in(services, AMINA, "amina.y", PIN) == Attempt.done()
    assert services.auth.check(AMINA).status is Status.VALID
    # The count starts again; the next block is twice as long.
    for _ in range(4):
        log_in(services, AMINA, "amina.y", WRONG_PIN)
    assert log_in(services, AMINA, "amina.y", WRONG_PIN).blocked_until == clock.now + timedelta(
        minutes=30
    )


def test_a_staff_block_refuses_the_right_pin(services: Services, clock: FrozenClock) -> None:
    registered(services, AMINA)
    services.auth.credentials.set_status(AMINA, AccountStatus.LOST_PHONE, "reported lost")
    assert log_in(services, AMINA, "amina.y", PIN) == Attempt.blocked(clock.now)
    assert services.auth.lockouts.remaining(AMINA, Kind.PIN) == 5


def test_a_used_login_link_is_gone(services: Services) -> None:
    registered(services, AMINA)
    link = link_for(services, AMINA, Purpose.LOGIN)
    assert login_steps.login(services.auth, link, "amina.y", PIN, ADDRESS, AGENT).ok
    again = login_steps.login(services.auth, link, "amina.y", PIN, ADDRESS, AGENT)
    assert again == Attempt.link_gone()


def test_each_login_gets_a_new_session_token(services: Services) -> None:
    registered(services, AMINA)
    key = SESSION_KEY.format(msisdn=AMINA)
    assert log_in(services, AMINA, "amina.y", PIN).ok
    first = services.redis.hget(key, "digest")
    assert log_in(services, AMINA, "amina.y", PIN).ok
    assert services.redis.hget(key, "digest") not in (None, "", first)


# --- change of PIN ---


def change(services: Services, current: str, new: str, repeat: str | None = None) -> Attempt:
    link = link_for(services, AMINA, Purpose.CHANGE_PIN)
    return login_steps.change_pin(
        services.auth, link, current, new, new if repeat is None else repeat, ADDRESS
    )


def test_change_pin_refuses_the_current_pin_as_the_new_one(services: Services) -> None:
    registered(services, AMINA)
    assert change(services, PIN, PIN) == Attempt.invalid(
        "Choose a PIN that is different from your current one."
    )
    assert services.auth.lockouts.remaining(AMINA, Kind.PIN) == 5


@pytest.mark.parametrize(
    ("current", "new", "repeat", "problem"),
    [
        (PIN, "111111", "111111", "Don't repeat the same digit or pattern."),
        (PIN, "120490", "120490", "Don't use your date of birth."),
        (PIN, "19900412", "19900412", "Don't use your date of birth."),
        (PIN, "803000", "803000", "Don't use part of your phone number."),
        (PIN, "12345", "12345", "Use 6 to 12 digits."),
        (PIN, NEW_PIN, "730519", "The two new PINs don't match."),
        ("", NEW_PIN, NEW_PIN, "Enter your current PIN."),
        (WRONG_PIN, "123456", "123456", "Don't use digits in a row, such as 123456."),
    ],
)
def test_change_pin_policy(
    services: Services, current: str, new: str, repeat: str, problem: str
) -> None:
    registered(services, AMINA)
    attempt = change(services, current, new, repeat)
    assert not attempt.ok and problem in attempt.problems
    assert services.auth.lockouts.remaining(AMINA, Kind.PIN) == 5
    assert services.auth.hasher.verify(services.auth.credentials.get(AMINA).pin_hash, "pin", PIN)


def test_a_wrong_current_pin_counts_toward_the_lockout(services: Services) -> None:
    registered(services, AMINA)
    assert change(services, WRONG_PIN, NEW_PIN) == Attempt(ok=False, remaining=4)
    for left in (3, 2, 1):
        assert log_in(services, AMINA, "amina.y", WRONG_PIN).remaining == left
    blocked = change(services, WRONG_PIN, NEW_PIN)
    assert blocked.blocked_until is not None
    assert change(services, PIN, NEW_PIN) == Attempt.blocked(blocked.blocked_until)


def test_change_pin_success(services: Services, outbox: OutboxMessenger) -> None:
    registered(services, AMINA)
    assert change(services, WRONG_PIN, NEW_PIN).remaining == 4
    assert change(services, PIN, NEW_PIN) == Attempt.done()
    assert services.auth.lockouts.remaining(AMINA, Kind.PIN) == 5
    assert log_in(services, AMINA, "amina.y", PIN).remaining == 4
    assert log_in(services, AMINA, "amina.y", NEW_PIN) == Attempt.done()
    assert any("PIN was changed" in body for body in sms_bodies(outbox, AMINA))


# --- the audit trail ---


def test_every_outcome_is_audited_without_secrets(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    link = at_authenticator(services, outbox, AMINA)
    reg_code = last_code(outbox, AMINA)
    assert reg.finish(services.auth, link, None, ADDRESS, AGENT).ok
    tokens = [link.token]
    # Wrong details on another customer's registration.
    bola = link_for(services, BOLA, Purpose.REGISTER)
    tokens.append(bola.token)
    reg.send_code(services.auth, bola)
    reg.verify_details(services.auth, bola, "1999-06-02", "8903", "000000", ADDRESS)
    # A logout, wrong PINs into a block, then a login after it.
    services.auth.logout(AMINA, "C001")
    for _ in range(5):
        login_link = link_for(services, AMINA, Purpose.LOGIN)
        tokens.append(login_link.token)
        login_steps.login(services.auth, login_link, "amina.y", WRONG_PIN, ADDRESS, AGENT)
    clock.advance(minutes=16)
    assert log_in(services, AMINA, "amina.y", PIN).ok
    assert change(services, PIN, NEW_PIN).ok
    session_digest = services.redis.hget(SESSION_KEY.format(msisdn=AMINA), "digest")

    entries = services.auth.audit.entries(count=1000)
    seen = {(e.fields["event"], e.fields["result"]) for e in entries}
    for expected in [
        ("code_sent", "ok"),
        ("registration", "success"),
        ("registration_details", "failure"),
        ("logout", "ok"),
        ("login", "failure"),
        ("block", "blocked"),
        ("login", "success"),
        ("pin_change", "success"),
    ]:
        assert expected in seen, expected
    assert all(e.fields["customer"] in ("C001", "C003") for e in entries)
    assert all(datetime.fromisoformat(e.fields["at"]) for e in entries)
    text = audit_text(entries)
    secrets = [PIN, NEW_PIN, WRONG_PIN, reg_code, "1990-04-12", "1999-06-02", "120490", AMINA]
    secrets += [*tokens, str(session_digest)]
    for secret in secrets:
        assert secret not in text, secret
    for value in ANSWERS.values():
        assert value not in text
    # No token-like run at all (link and session tokens are 43 URL-safe characters).
    assert re.search(r"[A-Za-z0-9_-]{32,}", text) is None


def test_sms_notices_and_codes_go_to_the_outbox_only(
    services: Services, outbox: OutboxMessenger
) -> None:
    link = at_authenticator(services, outbox, AMINA)
    assert reg.finish(services.auth, link, None, ADDRESS, AGENT).ok
    assert change(services, PIN, NEW_PIN).ok
    messages = outbox.messages(AMINA)
    assert {m["channel"] for m in messages} == {"sms"}
    bodies = [m["body"] for m in messages]
    assert sum("is your code to register" in b for b in bodies) == 1
    assert sum("registered for chat banking" in b for b in bodies) == 1
    assert sum("PIN was changed" in b for b in bodies) == 1
    for body in bodies:
        assert PIN not in body and NEW_PIN not in body and "1990-04-12" not in body
