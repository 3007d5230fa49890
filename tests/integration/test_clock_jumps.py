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

from auth.ports import Status
from auth.stores.codes import CODE_TTL, Codes, SendRefused, Verdict, key
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


@pytest.mark.xfail(
    strict=True,
    raises=SendRefused,
    reason="the resend cooldown is reckoned from last_sent on the injected clock: after a jump "
    "back it lasts the jump plus 30 s",
)
def test_a_clock_jump_back_does_not_stretch_the_resend_cooldown(
    redis: Redis, clock: FrozenClock
) -> None:
    codes = Codes(redis, "pepper")
    codes.issue(AMINA, "stepup", BINDING, clock())
    clock.advance(hours=-1, seconds=31)
    codes.issue(AMINA, "stepup", BINDING, clock())


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
