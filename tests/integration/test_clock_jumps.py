"""The bank's clock jumping forward and back (an NTP correction, a VM resumed): sessions and
one-time codes still expire. Each is checked two ways — by the injected clock (a jump forward
past the end expires them at once) and by the Redis TTL on real time (a jump back must not
stretch a code's life past its nominal five minutes, nor a session's idle time).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from redis import Redis

from auth.ports import Status, StepUpRequest
from auth.scenarios.model import ChallengeType
from auth.stepup.challenges import CODE_PURPOSE, ChallengeStore
from auth.stores.codes import (
    CODE_TTL,
    Codes,
    SendRefused,
    Verdict,
    cooldown_key,
    key,
)
from auth.stores.sessions import SESSION_KEY, Sessions
from tests.conftest import AMINA
from tests.fakes import FrozenClock

BINDING = "transfer:150.00:0987654321"


@pytest.fixture
def redis(redis_url: str) -> Redis:
    return Redis.from_url(redis_url, decode_responses=True)


def test_a_clock_jump_forward_expires_a_session_at_once(redis: Redis, clock: FrozenClock) -> None:
    sessions = Sessions(redis)
    sessions.create(AMINA, clock())
    assert sessions.check(AMINA, clock()).status is Status.VALID
    clock.advance(minutes=6)  # the jump: no real time passed, Redis' TTLs haven't moved
    assert sessions.check(AMINA, clock()).status is Status.EXPIRED
    clock.advance(minutes=-6)  # and back: an expired session stays expired
    assert sessions.check(AMINA, clock()).status is Status.EXPIRED


def test_a_clock_jump_forward_past_the_absolute_end_expires_an_active_session(
    redis: Redis, clock: FrozenClock
) -> None:
    sessions = Sessions(redis)
    sessions.create(AMINA, clock())
    clock.advance(hours=12)
    assert sessions.check(AMINA, clock()).status is Status.EXPIRED


def test_a_clock_jump_forward_expires_a_code_at_once(redis: Redis, clock: FrozenClock) -> None:
    codes = Codes(redis, "pepper")
    code, _ = codes.issue(AMINA, "stepup", BINDING, clock())
    clock.advance(minutes=5, seconds=1)
    assert codes.verify(AMINA, "stepup", BINDING, code, clock()).verdict is Verdict.EXPIRED


def test_a_clock_jump_back_does_not_stretch_a_codes_redis_life(
    redis: Redis, clock: FrozenClock
) -> None:
    codes = Codes(redis, "pepper")
    codes.issue(AMINA, "stepup", BINDING, clock())
    clock.advance(hours=-1)
    # The injected clock alone would keep it an hour longer; Redis drops it on real time.
    assert 0 < redis.ttl(key(AMINA, "stepup")) <= CODE_TTL.total_seconds()


def test_a_clock_jump_back_does_not_stretch_the_resend_cooldown(
    redis: Redis, clock: FrozenClock
) -> None:
    """The cooldown also runs on Redis's clock: set the server's clock back an hour and a
    resend is still allowed once the cooldown (1 s here) has passed in real time, not an hour
    and a second later."""
    codes = Codes(redis, "pepper")
    codes.cooldown = timedelta(seconds=1)
    codes.issue(AMINA, "stepup", BINDING, clock())
    clock.advance(hours=-1)
    with pytest.raises(SendRefused) as refused:  # still within the cooldown on either clock
        codes.issue(AMINA, "stepup", BINDING, clock())
    assert refused.value.retry_after_s == 1  # Redis's wait, not the injected clock's hour
    deadline = time.monotonic() + 10
    while redis.exists(cooldown_key(AMINA, "stepup")) and time.monotonic() < deadline:
        time.sleep(0.05)
    codes.issue(AMINA, "stepup", BINDING, clock())  # the cooldown is over: no SendRefused
    assert redis.hget(key(AMINA, "stepup"), "sends") == "2"


def test_a_step_up_s_first_code_starts_the_cooldown_on_redis_s_clock_too(
    redis: Redis, clock: FrozenClock
) -> None:
    """A step-up stores its first code in the script that starts the challenge: that send
    starts the Redis-side cooldown too (with the key missing, a resend would pass at once)."""
    codes = Codes(redis, "pepper")
    codes.cooldown = timedelta(seconds=1)
    request = StepUpRequest("transfer", "150.00", "USD", "Chidi O.", "0123456789")
    fresh = codes.fresh(AMINA, CODE_PURPOSE, BINDING, clock())
    ChallengeStore(redis).start(
        AMINA, ChallengeType.SMS_CODE, (ChallengeType.SMS_CODE,), request, clock(),
        timedelta(minutes=5), code=fresh,
    )  # fmt: skip
    assert 0 < redis.pttl(cooldown_key(AMINA, CODE_PURPOSE)) <= 1000
    clock.advance(hours=-1)
    with pytest.raises(SendRefused):
        codes.issue(AMINA, CODE_PURPOSE, BINDING, clock())


def test_a_clock_jump_back_does_not_stretch_a_sessions_idle_time(
    redis: Redis, clock: FrozenClock
) -> None:
    """The idle limit also runs on Redis's clock: set the server's clock back an hour and the
    session still ends after its idle time (1 s here) of real inactivity."""
    sessions = Sessions(redis, idle=timedelta(seconds=1))
    sessions.create(AMINA, clock())
    assert sessions.check(AMINA, clock()).status is Status.VALID  # and slides the idle end
    clock.advance(hours=-1)
    assert sessions.check(AMINA, clock(), extend=False).status is Status.VALID
    time.sleep(1.3)
    assert sessions.check(AMINA, clock()).status is Status.EXPIRED
    assert redis.pttl(SESSION_KEY.format(msisdn=AMINA)) > 0  # kept: "expired", not "missing"
