"""The cooling-off after registering, as settings staff change at run time: how many hours a new
registration runs on lower limits, and the daily cap in force meanwhile (a stolen phone's new
registration can't empty accounts).

The configuration (``REGISTRATION_COOLING_OFF_HOURS`` and ``_CAP``) gives the defaults; a value
stored from the console overrides them for every process at once, read again for every movement
(``AuthService.daily_cap``, ``cooling_off_until``), so a change applies to the next movement.
The cap is never above the lowest KYC level's daily limit: the cooling-off only ever lowers
limits. A stored value that no longer parses is logged and the defaults are used (they were
checked at start). Each ``put`` carries the version it was made from; an older one is ``Stale``,
checked and written in one WATCH/MULTI transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from redis import Redis, WatchError
from redis.client import Pipeline

from bank.money import MAX_CENTS, has_cents_precision
from bank.ports import CoreBanking

log = logging.getLogger(__name__)

# Keys — value shape, lifetime (the {settings} hash tag: one cluster slot for bank-wide settings):
COOLING_OFF_KEY = "teller:{settings}:cooling_off"  # hash: hours, cap ("200.00"), version; no TTL
MAX_HOURS = 30 * 24  # the configuration's bound too
_RETRIES = 20


@dataclass(frozen=True)
class CoolingOff:
    hours: int  # 0: no cooling-off at all
    cap: Decimal  # in the bank's currency, sent per day while it runs
    version: int = 0  # 0: never stored (the configuration's defaults); one more at every put

    @property
    def period(self) -> timedelta:
        return timedelta(hours=self.hours)


class CoolingOffRefused(Exception):
    """A setting that breaks a rule: one message per problem, each starting with its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class StaleCoolingOff(Exception):
    """The change was made from an older version; ``current`` is in force now."""

    def __init__(self, current: CoolingOff) -> None:
        super().__init__(f"stale: version {current.version} is current")
        self.current = current


def ceiling_of(bank: CoreBanking) -> Decimal | None:
    """The highest cap allowed: the lowest KYC level's daily limit (None: the bank has none)."""
    levels = sorted(bank.kyc_levels(), key=lambda level: level.level)
    return levels[0].daily if levels else None


def cooling_off_problems(hours: object, cap: object, ceiling: Decimal | None) -> list[str]:
    """Every rule ``hours`` and ``cap`` break (empty: they can be stored)."""
    problems = []
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= MAX_HOURS:
        problems.append(f"hours: a whole number of hours from 0 to {MAX_HOURS}")
    if (
        not isinstance(cap, Decimal)
        or not has_cents_precision(cap)
        or not Decimal(0) < cap
        or cap * 100 > MAX_CENTS
    ):
        problems.append("cap: more than 0, at most 2 decimals, such as 200.00")
    elif ceiling is not None and cap > ceiling:
        problems.append(
            f"cap: at most the lowest KYC level's daily limit ({ceiling:,.2f}): the cooling-off "
            "only ever lowers limits"
        )
    return problems


def _parse(raw: dict[str, str]) -> CoolingOff:
    return CoolingOff(int(raw["hours"]), Decimal(raw["cap"]), int(raw["version"]))


class CoolingOffSettings:
    """The settings in force; Redis errors propagate (a movement then fails closed)."""

    def __init__(self, redis: Redis, defaults: CoolingOff, bank: CoreBanking) -> None:
        self.redis = redis  # str replies
        self.defaults = defaults
        self.bank = bank

    def get(self) -> CoolingOff:
        """The settings in force now (the configuration's until staff store others)."""
        raw: dict[str, str] = self.redis.hgetall(COOLING_OFF_KEY)  # type: ignore[assignment]
        return self._read(raw)

    @staticmethod
    def queue_get(pipe: Pipeline) -> None:
        """``get``'s read, queued on ``pipe`` (``of`` reads its answer)."""
        pipe.hgetall(COOLING_OFF_KEY)

    def of(self, raw: dict[str, str]) -> CoolingOff:
        """The settings in force, from what ``queue_get`` read."""
        return self._read(raw)

    def _read(self, raw: dict[str, str]) -> CoolingOff:
        if not raw:
            return self.defaults
        try:
            stored = _parse(raw)
        except (KeyError, ValueError, InvalidOperation):
            log.error("cooling-off: the stored settings don't parse; using the configuration's")
            return self.defaults
        if cooling_off_problems(stored.hours, stored.cap, None):
            log.error("cooling-off: the stored settings break a rule; using the configuration's")
            return CoolingOff(self.defaults.hours, self.defaults.cap, stored.version)
        return stored

    def put(self, hours: int, cap: Decimal, expected: int | None = None) -> CoolingOff:
        """Store new settings (in force at once); ``CoolingOffRefused`` on a rule,
        ``StaleCoolingOff`` when ``expected`` is not the version in force (None: no check)."""
        problems = cooling_off_problems(hours, cap, ceiling_of(self.bank))
        if problems:
            raise CoolingOffRefused(problems)
        for _ in range(_RETRIES):
            with self.redis.pipeline() as pipe:
                try:
                    pipe.watch(COOLING_OFF_KEY)  # type: ignore[no-untyped-call]
                    current = self._read(pipe.hgetall(COOLING_OFF_KEY))  # type: ignore[arg-type]
                    if expected is not None and expected != current.version:
                        raise StaleCoolingOff(current)
                    stored = CoolingOff(hours, cap.quantize(Decimal("0.01")), current.version + 1)
                    pipe.multi()
                    pipe.hset(
                        COOLING_OFF_KEY,
                        mapping={
                            "hours": str(stored.hours),
                            "cap": f"{stored.cap:.2f}",
                            "version": str(stored.version),
                        },
                    )
                    pipe.execute()
                    return stored
                except WatchError:
                    continue
        raise RuntimeError("cooling-off settings: too many concurrent changes")
