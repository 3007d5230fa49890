"""The cooling-off after registering as runtime settings on real Redis: the configuration's
defaults until staff store others, every rule refused with its field and nothing stored, a
stale version refused, another process seeing a change at once, and the chat using the new
period and cap for the very next movement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app import Services
from auth.cooling_off import (
    COOLING_OFF_KEY,
    CoolingOff,
    CoolingOffRefused,
    CoolingOffSettings,
    StaleCoolingOff,
    cooling_off_problems,
)
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

DEFAULTS = CoolingOff(24, Decimal("200.00"))


def test_the_configurations_values_until_staff_store_others(services: Services) -> None:
    assert services.auth.cooling.get() == DEFAULTS  # version 0: never stored
    stored = services.auth.cooling.put(48, Decimal("150.00"), expected=0)
    assert stored == CoolingOff(48, Decimal("150.00"), 1)
    assert services.auth.cooling.get() == stored
    assert services.auth.cooling_off == timedelta(hours=48)
    assert services.auth.cooling_off_cap == Decimal("150.00")


def test_another_process_sees_a_change_at_once(services: Services) -> None:
    other = CoolingOffSettings(services.redis, DEFAULTS, services.bank)  # a second web process
    services.auth.cooling.put(12, Decimal("100.50"))
    assert other.get() == CoolingOff(12, Decimal("100.50"), 1)


def test_a_stale_version_is_refused_and_changes_nothing(services: Services) -> None:
    first = services.auth.cooling.put(36, Decimal("120.00"), expected=0)
    with pytest.raises(StaleCoolingOff) as stale:
        services.auth.cooling.put(6, Decimal("50.00"), expected=0)  # made from the defaults
    assert stale.value.current == first
    assert services.auth.cooling.get() == first


@pytest.mark.parametrize(
    ("hours", "cap", "problems"),
    [
        (-1, Decimal("100.00"), ["hours: a whole number of hours from 0 to 720"]),
        (721, Decimal("100.00"), ["hours: a whole number of hours from 0 to 720"]),
        (24, Decimal("0"), ["cap: more than 0, at most 2 decimals, such as 200.00"]),
        (24, Decimal("10.001"), ["cap: more than 0, at most 2 decimals, such as 200.00"]),
        (
            24,
            Decimal("1000.01"),  # the demo bank's level 1 allows 1,000.00 a day
            [
                "cap: at most the lowest KYC level's daily limit (1,000.00): the cooling-off "
                "only ever lowers limits"
            ],
        ),
    ],
)
def test_a_setting_that_breaks_a_rule_is_refused_with_its_field(
    services: Services, hours: int, cap: Decimal, problems: list[str]
) -> None:
    with pytest.raises(CoolingOffRefused) as refused:
        services.auth.cooling.put(hours, cap)
    assert refused.value.problems == problems
    assert services.redis.exists(COOLING_OFF_KEY) == 0


def test_exactly_the_lowest_levels_daily_limit_and_no_cooling_off_at_all_are_allowed(
    services: Services,
) -> None:
    assert services.auth.cooling.put(0, Decimal("1000.00")).hours == 0
    assert cooling_off_problems(True, Decimal("1.00"), None) != []


def test_a_stored_value_that_does_not_parse_falls_back_to_the_defaults(
    services: Services,
) -> None:
    services.redis.hset(COOLING_OFF_KEY, mapping={"hours": "lots", "cap": "1", "version": "3"})
    assert services.auth.cooling.get() == DEFAULTS
    services.redis.hset(COOLING_OFF_KEY, mapping={"hours": "-5", "cap": "1.00", "version": "3"})
    assert services.auth.cooling.get() == CoolingOff(24, Decimal("200.00"), 3)


def test_the_chat_uses_the_new_cap_and_period_for_the_next_movement(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, clock: FrozenClock
) -> None:
    register_amina(whatsapp, secure)
    assert services.auth.daily_cap(AMINA) == Decimal("200.00")
    services.auth.cooling.put(24, Decimal("80.00"))
    assert services.auth.daily_cap(AMINA) == Decimal("80.00")
    for text in ("transfer", "5"):  # Chidi Okeke, a saved payee
        whatsapp.send(AMINA, text)
    over = whatsapp.send(AMINA, "80.01").text
    assert "While your chat banking is new, you can send up to USD 80.00 a day" in over
    clock.advance(hours=2)
    services.auth.cooling.put(1, Decimal("80.00"))  # registered 2 hours ago: it is over
    assert services.auth.cooling_off_until(AMINA) is None
    assert services.auth.daily_cap(AMINA) is None
    services.auth.cooling.put(72, Decimal("80.00"))
    ends = services.auth.cooling_off_until(AMINA)
    assert ends is not None and ends - clock() == timedelta(hours=70)
