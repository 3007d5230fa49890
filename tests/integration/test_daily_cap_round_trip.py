"""The daily cap (the customer's own limit, the cooling-off after registering) is asked on every
step of a payment: one Redis round trip for both of its parts."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from app import Config, build_services
from auth.stores.credentials import CRED_KEY
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
