"""The daily cap (the customer's own limit, the cooling-off after registering) is asked on every
step of a payment: one Redis round trip for both of its parts, and one read per message."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from app import Config, build_services
from auth.ports import Status, TokenCheck
from auth.stores.credentials import CRED_KEY
from bot.prefetch import Prefetched
from tests.conftest import AMINA
from tests.fakes import FrozenClock
from tests.redis_server import RedisServer


def test_the_daily_cap_is_read_in_one_round_trip(config: Config, clock: FrozenClock) -> None:
    """Counted by Redis on a server of this test's own (each request a client sends is one read
    event), so no other process of the suite is counted."""
    private = RedisServer().start()
    services = build_services(replace(config, redis_url=private.url), clock=clock)
    try:
        services.auth.credentials.redis.hset(
            CRED_KEY.format(msisdn=AMINA),
            mapping={"registered_at": clock().isoformat(), "daily_limit": "120.00"},
        )

        def reads() -> int:
            return int(services.redis.info("stats")["total_reads_processed"])

        before = reads()
        cap = services.auth.daily_cap(AMINA)
        assert reads() - before == 1 + 1  # + 1: the second INFO itself
        # Registered just now: the cooling-off runs, and the lower of the two caps applies.
        assert cap == min(Decimal("120.00"), services.auth.cooling_off_cap)
    finally:
        services.close()
        private.stop()


def test_one_message_reads_the_daily_cap_once(config: Config, clock: FrozenClock) -> None:
    """A payment step asks the cap several times (the amount's check, the summary, the bank's
    request): one message's ports read it once; a change of the customer's own limit reads it
    anew, and the next message reads it fresh."""
    private = RedisServer().start()
    services = build_services(replace(config, redis_url=private.url), clock=clock)
    try:
        services.auth.credentials.redis.hset(
            CRED_KEY.format(msisdn=AMINA),
            mapping={"registered_at": clock().isoformat(), "daily_limit": "120.00"},
        )
        reading = TokenCheck(Status.VALID, clock() + timedelta(minutes=5), registered=True)

        def reads() -> int:
            return int(services.redis.info("stats")["total_reads_processed"])

        message = Prefetched(services.auth, None, AMINA, reading)
        before = reads()
        caps = [message.identity.daily_cap(AMINA) for _ in range(3)]
        assert reads() - before == 1 + 1  # + 1: the second INFO itself
        assert caps == [min(Decimal("120.00"), services.auth.cooling_off_cap)] * 3

        message.identity.set_personal_limit(AMINA, "C001", Decimal("50.00"))
        assert message.identity.daily_cap(AMINA) == Decimal("50.00")
        services.auth.credentials.redis.hset(CRED_KEY.format(msisdn=AMINA), "daily_limit", "40")
        assert message.identity.daily_cap(AMINA) == Decimal("50.00")  # as read in this message
        following = Prefetched(services.auth, None, AMINA, reading)
        assert following.identity.daily_cap(AMINA) == Decimal("40")
    finally:
        services.close()
        private.stop()
