"""The step-up throttle on real Redis (``auth.stepup.challenges``' start script): it counts
challenges started for *distinct requests* in a sliding hour — a resend, ``other`` or a start
again after a login for the same request count once — bounds how often one request may start,
and says until when. ``other`` offers every way the customer set up (the authenticator app
included), and the earlier code stops working once they switch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest

from app import Config, Services, build_services
from app.config import ConfigError
from auth.ports import StepUpAnswer, StepUpState, Verdict
from bot.messenger import OutboxMessenger
from tests.fakes import FrozenClock
from tests.integration.test_stepup import AMINA, AMINA_ID, answer, begin, enrol, sms_code, transfer


def test_resends_switches_and_starts_again_count_one_request(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    first = transfer("1.00")
    assert begin(services, first).state is StepUpState.SENT
    clock.advance(seconds=31)
    assert services.stepup.resend(AMINA, AMINA_ID, first).state is StepUpState.SENT
    assert services.stepup.switch(AMINA, AMINA_ID, first).kind == "email_code"
    assert services.stepup.switch(AMINA, AMINA_ID, first).kind == "sms_code"  # and back
    assert begin(services, first).state is StepUpState.SENT  # again, as after a login
    for n in range(2, 11):  # nine more requests: ten in the hour
        clock.advance(minutes=1)
        assert begin(services, transfer(f"{n}.00")).state is StepUpState.SENT
    clock.advance(minutes=1)
    paused = begin(services, transfer("11.00"))
    # The eleventh request waits until the first of the hour is an hour old (631 s ago).
    assert (paused.state, paused.kind, paused.retry_after_s) == (
        StepUpState.REFUSED,
        "",
        3600 - 631,
    )
    assert paused.until == clock.now + timedelta(seconds=3600 - 631)
    # A request already counted this hour can still start (a login in between, a cancel).
    assert begin(services, transfer("10.00")).state is StepUpState.SENT
    clock.advance(seconds=3600 - 631)
    assert begin(services, transfer("11.00")).state is StepUpState.SENT


def test_the_limit_is_a_setting(config: Config, clock: FrozenClock) -> None:
    built = build_services(replace(config, stepup_starts_per_hour=3), clock=clock)
    try:
        for n in range(3):
            assert built.stepup.begin(AMINA, AMINA_ID, transfer(f"{n + 1}.00")).state is (
                StepUpState.SENT
            )
        assert built.stepup.begin(AMINA, AMINA_ID, transfer("4.00")).state is StepUpState.REFUSED
    finally:
        built.close()


@pytest.mark.parametrize("value", ["2", "61", "ten", "-5"])
def test_the_setting_is_checked_at_start(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"STEPUP_STARTS_PER_HOUR": value})
    assert refused.value.problems == ["STEPUP_STARTS_PER_HOUR: must be a whole number from 3 to 60"]
    assert Config.from_env({}).stepup_starts_per_hour == 10
    assert Config.from_env({"STEPUP_STARTS_PER_HOUR": "30"}).stepup_starts_per_hour == 30


def test_other_offers_every_enrolled_way_and_the_earlier_code_stops_working(
    services: Services, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    secret = pyotp.random_base32()
    enrol(services, totp_secret=secret, questions=("q1", "q3", "q6"))
    request = transfer()
    view = begin(services, request)
    # The scenario's SMS then email, then the rest she set up: her app, her questions.
    assert (view.kind, view.ways) == (
        "sms_code",
        ("email_code", "authenticator_app", "security_questions"),
    )
    by_sms = sms_code(outbox)
    switched = services.stepup.switch(AMINA, AMINA_ID, request, "authenticator_app")
    assert (switched.state, switched.ways) == (
        StepUpState.AUTHENTICATOR,
        ("sms_code", "email_code", "security_questions"),
    )
    assert answer(services, request, by_sms).verdict is Verdict.WRONG  # the SMS code is dead
    now = pyotp.TOTP(secret).at(clock.now)
    assert answer(services, request, now) == StepUpAnswer(Verdict.PASSED)


def test_a_stricter_rule_offers_nothing_weaker(services: Services) -> None:
    """An "authenticator, else SMS" rule never falls back to email or questions."""
    from tests.integration.test_stepup import PIN_CHANGE, set_types

    enrol(services, totp_secret=pyotp.random_base32(), questions=("q1", "q3", "q6"))
    set_types(services, "PASSWORD_UPDATE", "authenticator_app", "sms_code")
    view = begin(services, PIN_CHANGE)
    assert (view.kind, view.ways) == ("authenticator_app", ("sms_code",))
    assert services.stepup.switch(AMINA, AMINA_ID, PIN_CHANGE, "email_code").kind == "sms_code"
