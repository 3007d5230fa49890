"""Step-up challenges (``auth.stepup.StepUpService``) on the suite's real Redis and the demo bank:
codes accepted once, tries and the customer's code lockout, resend limits, dynamic linking to
amount and payee, expiry, authenticator steps, which type the scenarios choose, delivery through
Twilio with the scenario's template, and an audit trail that never holds the code.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest

from app import Config, Services, build_services
from app.redis_config import RedisSettings
from auth.ports import StepUpAnswer, StepUpRequest, StepUpState, StepUpView, Verdict
from auth.scenarios.codec import config_to_dict
from auth.scenarios.model import MfaConfig, Status
from auth.stores.audit import AuditEntry, AuditLog
from auth.stores.credentials import AccountStatus, Credentials, Question
from auth.stores.lockout import Kind
from bot.messenger import OutboxMessenger
from tests.fakes import FakeTwilioHttp, FrozenClock
from tests.redis_server import RedisServer

AMINA, AMINA_ID = "+2348030000001", "C001"  # amina@example.com, savings 0123456789
SAVINGS = "0123456789"
CHIDI = "Chidi Okeke (Access ••4321)"
TUNDE = "Tunde Bakare (Demo Bank ••7890)"
OFFICER = "security.officer"
_SMS_CODE = re.compile(r"\b(\d{6,8}) is your code")
_EMAIL_CODE = re.compile(r"code .* is (\d{6,8})\.")
_ANY_CODE = re.compile(r"(?<![\d•])\d{6,8}(?![\d])")


def transfer(amount: str = "100.00", payee: str = CHIDI, account: str = SAVINGS) -> StepUpRequest:
    """A transfer to someone else: always challenged by the out-of-the-box scenarios."""
    return StepUpRequest("INTRA_BANK_FUND_TRANSFER_CREATE", amount, "USD", payee, account)


def own_transfer(amount: str) -> StepUpRequest:
    """Between the customer's own accounts: challenged above 1,000.00 only."""
    return StepUpRequest(
        "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE", amount, "USD", "Current ••6790", SAVINGS
    )


PIN_CHANGE = StepUpRequest("PASSWORD_UPDATE")


def sms_code(outbox: OutboxMessenger, msisdn: str = AMINA) -> str:
    for message in reversed(outbox.messages(msisdn)):
        found = _SMS_CODE.search(message["body"])
        if message["channel"] == "sms" and found:
            return found.group(1)
    raise AssertionError("no code was sent by SMS")


def sms_bodies(outbox: OutboxMessenger, msisdn: str = AMINA) -> list[str]:
    return [m["body"] for m in outbox.messages(msisdn) if m["channel"] == "sms"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def begin(services: Services, request: StepUpRequest) -> StepUpView:
    return services.stepup.begin(AMINA, AMINA_ID, request)


def answer(services: Services, request: StepUpRequest, text: str) -> StepUpAnswer:
    return services.stepup.answer(AMINA, AMINA_ID, request, text)


def scenario_id(services: Services, action: str) -> str:
    [scenario] = [s for s in services.scenarios.find() if s.spec.action == action]
    return scenario.scenario_id


def set_types(services: Services, action: str, primary: str, backup: str | None) -> None:
    services.scenarios.update(
        scenario_id(services, action),
        {"primary_challenge": primary, "backup_challenge": backup},
        OFFICER,
    )


def set_config(services: Services, **changes: object) -> None:
    services.scenarios.put_config({**config_to_dict(MfaConfig()), **changes}, OFFICER)


def enrol(services: Services, *, totp_secret: str = "", questions: tuple[str, ...] = ()) -> None:
    """Amina's credentials, written directly: the step-up only reads which factors she has."""
    auth = services.auth
    auth.credentials.reserve_login_id("amina.y", AMINA)
    auth.credentials.create(
        Credentials(
            msisdn=AMINA,
            customer_id=AMINA_ID,
            login_id="amina.y",
            pin_hash="not-used-here",
            status=AccountStatus.REGISTERED,
            registered_at=services.clock(),
            questions=tuple(Question(q, "not-used-here") for q in questions),
            totp_secret=totp_secret,
        )
    )


def audit(services: Services, event: str) -> list[AuditEntry]:
    """Entries of one event, oldest first."""
    return list(reversed(AuditLog(services.redis).entries(event=event)))


# --- one use, tries, lockout ---


def test_a_code_is_accepted_once(services: Services, outbox: OutboxMessenger) -> None:
    request = transfer()
    view = begin(services, request)
    assert (view.state, view.kind, view.destination) == (
        StepUpState.SENT,
        "sms_code",
        "+234•••••0001",
    )
    assert (view.minutes, view.can_switch) == (5, True)
    code = sms_code(outbox)
    assert answer(services, request, code) == StepUpAnswer(Verdict.PASSED)
    assert answer(services, request, code) == StepUpAnswer(Verdict.EXPIRED)
    assert not services.stepup.passed(AMINA, request)  # a code pass is used up, not kept
    assert services.auth.lockouts.remaining(AMINA, Kind.CODE) == 5


def test_five_wrong_codes_block_and_the_right_one_is_then_refused(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    request = transfer()
    begin(services, request)
    code = sms_code(outbox)
    results = [answer(services, request, wrong(code)) for _ in range(5)]
    # The challenge's 5 tries and the customer's 5 consecutive failures run out together: the
    # customer is warned before the last one, and the fifth blocks.
    assert [r.remaining for r in results[:4]] == [4, 3, 2, 1]
    assert {r.verdict for r in results[:4]} == {Verdict.WRONG}
    until = clock.now + timedelta(minutes=15)
    assert results[4] == StepUpAnswer(Verdict.BLOCKED, until=until)
    assert answer(services, request, code) == StepUpAnswer(Verdict.BLOCKED, until=until)
    assert any("after too many wrong codes" in body for body in sms_bodies(outbox))


def test_the_tries_of_one_challenge_run_out_before_the_lockout(
    services: Services, outbox: OutboxMessenger
) -> None:
    set_config(services, max_attempts=3)
    request = transfer()
    begin(services, request)
    code = sms_code(outbox)
    results = [answer(services, request, wrong(code)) for _ in range(3)]
    assert results == [
        StepUpAnswer(Verdict.WRONG, 2),
        StepUpAnswer(Verdict.WRONG, 1),
        StepUpAnswer(Verdict.EXHAUSTED),
    ]
    # The next try is refused even though it is right: the challenge is void.
    assert answer(services, request, code).verdict is not Verdict.PASSED
    assert services.auth.lockouts.remaining(AMINA, Kind.CODE) == 2  # not blocked, still counted
    assert not any("after too many" in body for body in sms_bodies(outbox))


def test_wrong_codes_across_challenges_add_up_to_the_lockout(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    first = transfer()
    begin(services, first)
    for remaining in (4, 3, 2):
        assert answer(services, first, "000000") == StepUpAnswer(Verdict.WRONG, remaining)
    services.stepup.cancel(AMINA, AMINA_ID)

    second = transfer("250.00")
    begin(services, second)
    code = sms_code(outbox)
    # A new challenge has its own 5 tries, but the customer's failures go on counting.
    assert answer(services, second, wrong(code)) == StepUpAnswer(Verdict.WRONG, 1)
    until = clock.now + timedelta(minutes=15)
    assert answer(services, second, wrong(code)) == StepUpAnswer(Verdict.BLOCKED, until=until)
    assert answer(services, second, code) == StepUpAnswer(Verdict.BLOCKED, until=until)
    assert sum("after too many wrong codes" in body for body in sms_bodies(outbox)) == 1

    sent = len(sms_bodies(outbox))
    for start in (services.stepup.begin, services.stepup.resend, services.stepup.switch):
        assert start(AMINA, AMINA_ID, second) == StepUpView(StepUpState.BLOCKED, until=until)
    assert len(sms_bodies(outbox)) == sent  # no code goes out while blocked
    assert [e.fields["result"] for e in audit(services, "stepup.verify")][-2:] == [
        "blocked",
        "blocked",
    ]
    [block] = audit(services, "block")  # staff find step-up blocks with the others
    assert block.fields["customer"] == AMINA_ID and block.fields["channel"] == "whatsapp"
    assert (block.fields["reason"], block.fields["until"]) == (
        "5 wrong code attempts",
        until.isoformat(),
    )

    clock.advance(minutes=15, seconds=1)
    assert begin(services, second).state is StepUpState.SENT
    assert answer(services, second, sms_code(outbox)) == StepUpAnswer(Verdict.PASSED)


def test_racing_right_answers_pass_once(services: Services, outbox: OutboxMessenger) -> None:
    request = transfer()
    begin(services, request)
    code = sms_code(outbox)
    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = list(pool.map(lambda _: answer(services, request, code).verdict, range(8)))
    assert verdicts.count(Verdict.PASSED) == 1
    assert set(verdicts) == {Verdict.PASSED, Verdict.EXPIRED}


# --- resend ---


def test_at_most_three_sends_thirty_seconds_apart(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    request = transfer()
    assert begin(services, request).state is StepUpState.SENT
    refused = services.stepup.resend(AMINA, AMINA_ID, request)
    assert (refused.state, refused.can_switch) == (StepUpState.REFUSED, True)
    # The cooldown also runs on Redis's own clock, where real time passes even with the injected
    # clock frozen: a slow machine may already be a second in (29).
    assert refused.retry_after_s in (29, 30)
    clock.advance(seconds=20)
    assert services.stepup.resend(AMINA, AMINA_ID, request).retry_after_s == 10
    clock.advance(seconds=10)
    again = services.stepup.resend(AMINA, AMINA_ID, request)
    assert (again.state, again.destination) == (StepUpState.SENT, "+234•••••0001")
    clock.advance(seconds=30)
    assert services.stepup.resend(AMINA, AMINA_ID, request).state is StepUpState.SENT
    clock.advance(minutes=1)
    limit = services.stepup.resend(AMINA, AMINA_ID, request)
    assert (limit.state, limit.retry_after_s) == (StepUpState.REFUSED, 0)
    assert len(sms_bodies(outbox)) == 3
    assert answer(services, request, sms_code(outbox)) == StepUpAnswer(Verdict.PASSED)


def test_racing_resends_send_one_code(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    request = transfer()
    begin(services, request)
    clock.advance(seconds=30)
    with ThreadPoolExecutor(max_workers=8) as pool:
        views = list(pool.map(lambda _: services.stepup.resend(AMINA, AMINA_ID, request), range(8)))
    assert [v.state for v in views].count(StepUpState.SENT) == 1
    assert len(sms_bodies(outbox)) == 2


def test_a_resend_never_resets_the_failure_count(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    request = transfer()
    begin(services, request)
    old = sms_code(outbox)
    assert answer(services, request, wrong(old)) == StepUpAnswer(Verdict.WRONG, 4)
    assert answer(services, request, wrong(old)) == StepUpAnswer(Verdict.WRONG, 3)
    clock.advance(seconds=30)
    assert services.stepup.resend(AMINA, AMINA_ID, request).state is StepUpState.SENT
    new = sms_code(outbox)
    if new != old:  # the replaced code is one more wrong try, not a fresh start
        assert answer(services, request, old) == StepUpAnswer(Verdict.WRONG, 2)
    assert answer(services, request, new) == StepUpAnswer(Verdict.PASSED)
    assert services.auth.lockouts.remaining(AMINA, Kind.CODE) == 5  # a pass clears them


def test_a_resend_does_not_extend_the_challenge(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    request = transfer()
    begin(services, request)
    clock.advance(minutes=4)
    assert services.stepup.resend(AMINA, AMINA_ID, request).minutes == 1
    clock.advance(minutes=1)
    assert answer(services, request, sms_code(outbox)) == StepUpAnswer(Verdict.EXPIRED)


# --- dynamic linking ---


@pytest.mark.parametrize(
    "changed",
    [
        transfer("101.00"),
        transfer(payee=TUNDE),
        transfer(account="0123456790"),
        StepUpRequest("INTRA_BANK_FUND_TRANSFER_CREATE", "100.00", "EUR", CHIDI, SAVINGS),
    ],
    ids=["amount", "payee", "account", "currency"],
)
def test_a_code_for_one_transfer_is_refused_for_another(
    services: Services, outbox: OutboxMessenger, changed: StepUpRequest
) -> None:
    original = transfer("100.00")
    begin(services, original)
    code = sms_code(outbox)
    assert answer(services, changed, code) == StepUpAnswer(Verdict.MISMATCH)
    # The challenge is void: not even the right answer for the original request passes now.
    assert answer(services, original, code).verdict is Verdict.EXPIRED
    assert not services.stepup.passed(AMINA, original)
    assert not services.stepup.passed(AMINA, changed)
    assert [e.fields["result"] for e in audit(services, "stepup.verify")] == [
        "mismatch",
        "expired",
    ]


def test_the_sms_states_amount_and_payee(services: Services, outbox: OutboxMessenger) -> None:
    begin(services, transfer("1500.00"))
    [body] = sms_bodies(outbox)
    code = sms_code(outbox)
    assert body == (
        f"Demo Bank: {code} is your code to send USD 1,500.00 to {CHIDI} from ••6789. "
        "Sent 10:00. Never share it."
    )
    assert SAVINGS not in body


# --- expiry ---


def test_codes_expire_after_five_minutes(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    request = transfer()
    begin(services, request)
    clock.advance(minutes=4, seconds=59)
    assert answer(services, request, sms_code(outbox)) == StepUpAnswer(Verdict.PASSED)

    begin(services, request)
    clock.advance(minutes=5)
    assert answer(services, request, sms_code(outbox)) == StepUpAnswer(Verdict.EXPIRED)
    assert services.auth.lockouts.remaining(AMINA, Kind.CODE) == 5  # not a wrong try


def test_codes_expire_after_the_configured_time(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    set_config(services, code_expiry_seconds=120)
    request = transfer()
    assert begin(services, request).minutes == 2
    clock.advance(minutes=1, seconds=59)
    assert answer(services, request, sms_code(outbox)) == StepUpAnswer(Verdict.PASSED)
    begin(services, request)
    clock.advance(minutes=2)
    assert answer(services, request, sms_code(outbox)) == StepUpAnswer(Verdict.EXPIRED)


def test_the_configured_code_length(services: Services, outbox: OutboxMessenger) -> None:
    set_config(services, code_length=8)
    request = transfer()
    begin(services, request)
    code = sms_code(outbox)
    assert len(code) == 8 and code.isdigit()
    assert answer(services, request, code[:6]) == StepUpAnswer(Verdict.WRONG, 4)
    assert answer(services, request, code) == StepUpAnswer(Verdict.PASSED)


# --- the authenticator app ---


@pytest.fixture
def totp(services: Services) -> Iterator[pyotp.TOTP]:
    secret = pyotp.random_base32()
    enrol(services, totp_secret=secret)
    set_types(services, "PASSWORD_UPDATE", "authenticator_app", "sms_code")
    yield pyotp.TOTP(secret)


def at_step(totp: pyotp.TOTP, clock: FrozenClock, offset: int) -> str:
    return totp.generate_otp(int(clock.now.timestamp()) // 30 + offset)


def test_authenticator_current_and_previous_step_once_each(
    services: Services, totp: pyotp.TOTP, clock: FrozenClock, outbox: OutboxMessenger
) -> None:
    view = begin(services, PIN_CHANGE)
    assert (view.state, view.kind, view.can_switch) == (
        StepUpState.AUTHENTICATOR,
        "authenticator_app",
        True,
    )
    assert sms_bodies(outbox) == []  # nothing is sent for an authenticator challenge
    assert answer(services, PIN_CHANGE, at_step(totp, clock, -2)) == StepUpAnswer(Verdict.WRONG, 4)
    assert answer(services, PIN_CHANGE, at_step(totp, clock, 1)) == StepUpAnswer(Verdict.WRONG, 3)
    assert answer(services, PIN_CHANGE, at_step(totp, clock, -1)) == StepUpAnswer(Verdict.PASSED)

    begin(services, PIN_CHANGE)  # replayed within its window: refused
    assert answer(services, PIN_CHANGE, at_step(totp, clock, -1)).verdict is Verdict.WRONG
    assert answer(services, PIN_CHANGE, at_step(totp, clock, 0)) == StepUpAnswer(Verdict.PASSED)

    begin(services, PIN_CHANGE)
    assert answer(services, PIN_CHANGE, at_step(totp, clock, 0)).verdict is Verdict.WRONG
    clock.advance(seconds=30)  # the used step is now the previous one: still refused
    assert answer(services, PIN_CHANGE, at_step(totp, clock, -1)).verdict is Verdict.WRONG
    assert answer(services, PIN_CHANGE, at_step(totp, clock, 0)) == StepUpAnswer(Verdict.PASSED)


def test_racing_authenticator_codes_pass_one_challenge_once(
    services: Services, totp: pyotp.TOTP, clock: FrozenClock
) -> None:
    # The previous and the current step are both valid, and each is accepted once: two answers
    # racing with one of each must still pass the challenge only once.
    for _ in range(30):
        services.auth.lockouts.success(AMINA, Kind.CODE)  # each round starts with no failures
        clock.advance(minutes=10)  # under the limit on challenges started per hour
        begin(services, PIN_CHANGE)
        clock.advance(seconds=60)
        codes = [at_step(totp, clock, -1), at_step(totp, clock, 0)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            verdicts = list(pool.map(lambda c: answer(services, PIN_CHANGE, c).verdict, codes))
        assert verdicts.count(Verdict.PASSED) == 1, verdicts


def test_authenticator_switches_to_its_backup(
    services: Services, totp: pyotp.TOTP, clock: FrozenClock, outbox: OutboxMessenger
) -> None:
    begin(services, PIN_CHANGE)
    switched = services.stepup.switch(AMINA, AMINA_ID, PIN_CHANGE)
    assert (switched.state, switched.kind, switched.ways) == (
        StepUpState.SENT,
        "sms_code",
        ("authenticator_app",),  # and back
    )
    # The authenticator challenge was replaced: its code no longer passes.
    assert answer(services, PIN_CHANGE, at_step(totp, clock, 0)).verdict is Verdict.WRONG
    assert answer(services, PIN_CHANGE, sms_code(outbox)) == StepUpAnswer(Verdict.PASSED)


# --- which type the scenarios choose ---


def test_the_backup_is_used_when_the_primary_is_not_set_up(
    services: Services, outbox: OutboxMessenger
) -> None:
    enrol(services)  # no authenticator
    set_types(services, "PASSWORD_UPDATE", "authenticator_app", "sms_code")
    view = begin(services, PIN_CHANGE)
    assert (view.state, view.kind, view.can_switch) == (StepUpState.SENT, "sms_code", False)
    assert answer(services, PIN_CHANGE, sms_code(outbox)) == StepUpAnswer(Verdict.PASSED)


def test_an_email_code_goes_to_the_customers_own_address(
    services: Services, outbox: OutboxMessenger
) -> None:
    set_types(services, "INTRA_BANK_FUND_TRANSFER_CREATE", "email_code", "sms_code")
    tunde, request = "+2348030000002", transfer(account="0234567890")
    view = services.stepup.begin(tunde, "C002", request)
    assert (view.state, view.kind, view.destination) == (
        StepUpState.SENT,
        "email_code",
        "t••••@example.com",
    )
    [email] = outbox.messages("tunde@example.com")
    assert email["channel"] == "email" and "••7890" in email["body"]
    assert outbox.messages(tunde) == [] and outbox.messages("amina@example.com") == []
    found = _EMAIL_CODE.search(email["body"])
    assert found
    answered = services.stepup.answer(tunde, "C002", request, found.group(1))
    assert answered.verdict is Verdict.PASSED


def test_switch_to_the_backup_sends_an_email_code(
    services: Services, outbox: OutboxMessenger
) -> None:
    request = transfer()
    begin(services, request)
    by_sms = sms_code(outbox)
    switched = services.stepup.switch(AMINA, AMINA_ID, request)
    assert (switched.state, switched.kind, switched.destination, switched.ways) == (
        StepUpState.SENT,
        "email_code",
        "a••••@example.com",
        ("sms_code",),
    )
    [email] = outbox.messages("amina@example.com")
    assert email["channel"] == "email"
    assert email["body"].startswith("Demo Bank: your security code\n\n")
    assert "USD 100.00" in email["body"] and CHIDI in email["body"] and "••6789" in email["body"]
    found = _EMAIL_CODE.search(email["body"])
    assert found
    assert not any(found.group(1) in m["body"] for m in outbox.messages(AMINA))  # not by SMS
    if by_sms != found.group(1):
        assert answer(services, request, by_sms) == StepUpAnswer(Verdict.WRONG, 4)
    assert answer(services, request, found.group(1)) == StepUpAnswer(Verdict.PASSED)


def test_unavailable_when_neither_type_is_set_up(
    services: Services, outbox: OutboxMessenger
) -> None:
    enrol(services, questions=("q1",))  # one answer is not enough for 2 questions
    set_types(services, "PASSWORD_UPDATE", "authenticator_app", "security_questions")
    assert begin(services, PIN_CHANGE) == StepUpView(StepUpState.UNAVAILABLE)
    assert answer(services, PIN_CHANGE, "123456") == StepUpAnswer(Verdict.EXPIRED)
    assert sms_bodies(outbox) == []
    [decided] = audit(services, "stepup.decide")
    assert (decided.fields["result"], decided.fields["action"]) == (
        "unavailable",
        "PASSWORD_UPDATE",
    )


def test_own_accounts_are_challenged_only_above_the_threshold(
    services: Services, outbox: OutboxMessenger
) -> None:
    assert begin(services, own_transfer("1000.00")) == StepUpView(StepUpState.NOT_NEEDED)
    assert begin(services, own_transfer("999.99")) == StepUpView(StepUpState.NOT_NEEDED)
    assert sms_bodies(outbox) == []
    assert begin(services, own_transfer("1000.01")).state is StepUpState.SENT
    decided = audit(services, "stepup.decide")[0].fields
    assert (decided["result"], decided["amount"]) == ("not_required", "USD 1000.00")


def test_a_forced_request_is_challenged_below_the_threshold(services: Services) -> None:
    forced = StepUpRequest(
        "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE", "10.00", "USD", "Current ••6790", SAVINGS, True
    )
    assert begin(services, forced).state is StepUpState.SENT


def test_an_inactive_scenario_leaves_money_to_the_default_challenge(
    services: Services, outbox: OutboxMessenger
) -> None:
    own = scenario_id(services, "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE")
    services.scenarios.set_status(own, Status.INACTIVE, OFFICER)
    view = begin(services, own_transfer("10.00"))  # below the inactive rule's threshold
    assert (view.state, view.kind) == (StepUpState.SENT, "sms_code")
    started = audit(services, "stepup.start")[-1].fields
    assert started["scenario"] == "default"
    assert "money movements always get the default challenge" in started["decision"]
    assert answer(services, own_transfer("10.00"), sms_code(outbox)).verdict is Verdict.PASSED


# --- delivery, audit, logs ---


@pytest.fixture
def twilio_services(
    config: Config, clock: FrozenClock, twilio_http: FakeTwilioHttp
) -> Iterator[Services]:
    settings = {
        "messenger": "twilio",
        "twilio_account_sid": "AC" + "b" * 32,
        "twilio_sms_from": "+14155550100",
    }
    built = build_services(
        Config(**{**config.__dict__, **settings}), clock=clock, twilio_http_client=twilio_http
    )
    yield built
    built.close()


def test_delivery_through_twilio_with_the_scenario_template(
    twilio_services: Services, twilio_http: FakeTwilioHttp
) -> None:
    services = twilio_services
    begin(services, transfer("1500.00"))
    [call] = twilio_http.requests
    assert call.data["To"] == [AMINA] and call.data["From"] == ["+14155550100"]
    [body] = call.data["Body"]
    found = _SMS_CODE.search(body)
    assert found
    assert body == (
        f"Demo Bank: {found.group(1)} is your code to send USD 1,500.00 to {CHIDI} from "
        "••6789. Sent 10:00. Never share it."
    )

    services.scenarios.update(
        scenario_id(services, "INTRA_BANK_FUND_TRANSFER_CREATE"),
        {
            "sms_template": "Code {otp}: {transfer_amount} to {payee_name} from "
            "{account_number} on {server_date} {server_time}. {{never share}}"
        },
        OFFICER,
    )
    request = transfer("25.50", payee=TUNDE)
    begin(services, request)
    body = twilio_http.requests[-1].data["Body"][0]
    code = body.split()[1].rstrip(":")
    assert body == (
        f"Code {code}: USD 25.50 to {TUNDE} from ••6789 on 2026-11-02 10:00. {{never share}}"
    )
    assert services.stepup.answer(AMINA, AMINA_ID, request, code).verdict is Verdict.PASSED


def test_a_failed_delivery_is_audited_and_can_be_retried_at_once(
    twilio_services: Services, twilio_http: FakeTwilioHttp, clock: FrozenClock
) -> None:
    services, request = twilio_services, transfer()
    twilio_http.status = 503
    view = begin(services, request)
    assert (view.state, view.can_switch) == (StepUpState.FAILED, True)
    assert [e.fields["result"] for e in audit(services, "stepup.deliver")] == ["failure"]
    # Nothing left: the chat says "reply resend to try again", and that must not meet a
    # cooldown ("a code is on its way") or use up one of the three sends.
    assert services.stepup.resend(AMINA, AMINA_ID, request).state is StepUpState.FAILED
    twilio_http.status = 201
    sent = [services.stepup.resend(AMINA, AMINA_ID, request).state]
    for _ in range(3):
        clock.advance(seconds=30)
        sent.append(services.stepup.resend(AMINA, AMINA_ID, request).state)
    assert sent == [StepUpState.SENT, StepUpState.SENT, StepUpState.SENT, StepUpState.REFUSED]
    found = _SMS_CODE.search(twilio_http.requests[-1].data["Body"][0])
    assert found
    assert services.stepup.answer(AMINA, AMINA_ID, request, found.group(1)).verdict is (
        Verdict.PASSED
    )


def test_a_failed_resend_keeps_the_tries(
    twilio_services: Services, twilio_http: FakeTwilioHttp, clock: FrozenClock
) -> None:
    services, request = twilio_services, transfer()
    begin(services, request)
    assert answer(services, request, "000000") == StepUpAnswer(Verdict.WRONG, 4)
    assert answer(services, request, "000001") == StepUpAnswer(Verdict.WRONG, 3)
    clock.advance(seconds=30)
    twilio_http.status = 503
    assert services.stepup.resend(AMINA, AMINA_ID, request).state is StepUpState.FAILED
    twilio_http.status = 201
    assert services.stepup.resend(AMINA, AMINA_ID, request).state is StepUpState.SENT
    assert answer(services, request, "000002") == StepUpAnswer(Verdict.WRONG, 2)


def test_every_step_is_audited_and_the_code_is_never_recorded_or_logged(
    services: Services, outbox: OutboxMessenger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    request = transfer("1500.00")
    begin(services, request)
    first = sms_code(outbox)
    answer(services, request, wrong(first))
    services.stepup.switch(AMINA, AMINA_ID, request)
    found = _EMAIL_CODE.search(outbox.messages("amina@example.com")[-1]["body"])
    assert found
    second = found.group(1)
    assert answer(services, request, second).verdict is Verdict.PASSED

    entries = [e.fields for e in reversed(AuditLog(services.redis).entries())]
    steps = [(e["event"], e["result"]) for e in entries if e["event"].startswith("stepup.")]
    assert steps == [
        ("stepup.start", "started"),
        ("stepup.deliver", "success"),
        ("stepup.verify", "wrong"),
        ("stepup.start", "started"),
        ("stepup.deliver", "success"),
        ("stepup.verify", "passed"),
    ]
    for entry in entries:
        if entry["event"].startswith("stepup."):
            assert entry["action"] == "INTRA_BANK_FUND_TRANSFER_CREATE"
            assert entry["amount"] == "USD 1500.00"
            assert (entry["customer"], entry["number"]) == (AMINA_ID, "+234•••••0001")
            assert entry["channel"] == "whatsapp"
    delivered = [e for e in entries if e["event"] == "stepup.deliver"]
    assert [(e["challenge"], e["destination"]) for e in delivered] == [
        ("sms_code", "+234•••••0001"),
        ("email_code", "a••••@example.com"),
    ]
    # prev and digest are hex hashes (auth.stores.audit_chain), not data: their digits aren't codes
    recorded = "\n".join(v for e in entries for k, v in e.items() if k not in ("prev", "digest"))
    for secret in (first, second, wrong(first), AMINA, SAVINGS, "amina@example.com"):
        assert secret not in recorded
        assert secret not in caplog.text
    assert not _ANY_CODE.search(recorded)


def test_amounts_are_read_as_decimals(services: Services) -> None:
    # An amount the service can't read is treated as over any threshold (fail closed).
    assert begin(services, own_transfer("lots")).state is StepUpState.SENT
    assert begin(services, own_transfer("1000")) == StepUpView(StepUpState.NOT_NEEDED)


def test_starting_one_request_again_is_bounded(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    """Cancel and start the same request again sends a message each time: it counts once among
    the hour's requests, but one request gets 6 starts an hour, then a pause."""
    for _ in range(6):
        assert begin(services, transfer()).state is StepUpState.SENT
        services.stepup.cancel(AMINA, "C001")
    sent = len(sms_bodies(outbox))
    paused = begin(services, transfer())
    assert (paused.state, paused.kind) == (StepUpState.REFUSED, "")
    assert paused.retry_after_s == 3600 and paused.until == clock.now + timedelta(hours=1)
    assert len(sms_bodies(outbox)) == sent  # nothing more was sent
    assert begin(services, transfer("5.00")).state is StepUpState.SENT  # another request can
    clock.advance(hours=1)
    assert begin(services, transfer()).state is StepUpState.SENT


def test_a_refused_start_leaves_the_live_challenge_and_its_code(
    services: Services, outbox: OutboxMessenger
) -> None:
    """The starts limit is counted first, in the same script that would replace the challenge:
    a refused start changes nothing else, so the code already sent still works."""
    for n in range(9):
        begin(services, transfer(f"{n + 1}.00"))
    live = transfer("42.00")
    assert begin(services, live).state is StepUpState.SENT
    code = sms_code(outbox)
    assert begin(services, transfer("43.00")).state is StepUpState.REFUSED
    assert answer(services, live, code).verdict is Verdict.PASSED


def test_a_confirming_yes_reads_and_writes_the_step_up_in_three_round_trips(
    config: Config, clock: FrozenClock
) -> None:
    """One pipeline of reads (lockout, credentials, challenge, MFA config, scenarios), one
    script (limit, challenge, first code), one pipeline of audit entries (bench/README.md has
    the whole message). Counted by Redis: each request a client sends is one read event, on a
    server of this test's own, so no other process of the suite (a worker, a page) is counted."""
    private = RedisServer().start()
    private_only = replace(config, redis_url=private.url, redis=RedisSettings())
    services = build_services(private_only, clock=clock)
    try:

        def reads() -> int:
            return int(services.redis.info("stats")["total_reads_processed"])

        begin(services, transfer())  # the scripts are loaded once per server: not counted below
        before = reads()
        assert begin(services, transfer("7.00")).state is StepUpState.SENT
        # + 1: the dev outbox keeps the SMS in Redis; + 1: the second INFO itself.
        assert reads() - before == 3 + 1 + 1
    finally:
        services.close()
        private.stop()
