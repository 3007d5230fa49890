"""The bank's own facts at start (name, currency, code, clock) and the limits checked against
them: read once from the bank, compared with what the environment says, refused on a clash.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.config import Config, ConfigError
from auth.service import COOLING_OFF_DAILY_CAP
from bank.ports import CoreBanking


@dataclass(frozen=True)
class BankFacts:
    """The bank's own facts, read once from the bank (its seed, for the demo bank)."""

    name: str
    currency: str
    code: str
    timezone: str  # IANA: the bank's clock for every time a customer reads


def bank_facts(config: Config, bank: CoreBanking) -> BankFacts:
    """The bank's name, currency and code, from the bank. ``BANK_NAME`` and ``DEFAULT_CURRENCY``
    only name an empty bank; a configured value that disagrees with the bank's refuses to start
    (a chat quoting one currency while the bank moves another is worse than not starting)."""
    profile = bank.profile()
    problems = []
    if config.default_currency and profile.currency and config.default_currency != profile.currency:
        problems.append(
            f"DEFAULT_CURRENCY: is {config.default_currency} but the bank keeps its accounts in "
            f"{profile.currency}; unset it (the bank's currency is used) or set it to "
            f"{profile.currency}"
        )
    if config.bank_name and profile.name and config.bank_name != profile.name:
        problems.append(
            f"BANK_NAME: is {config.bank_name!r} but the bank is {profile.name!r}; unset it "
            "(the bank's name is used) or set it to the bank's name"
        )
    if problems:
        raise ConfigError(problems)
    return BankFacts(
        name=profile.name or config.bank_name or "Teller Bank",
        currency=profile.currency or config.default_currency or "USD",
        code=profile.code,
        timezone=config.bank_timezone or profile.timezone or "UTC",
    )


def cooling_off_cap(config: Config, bank: CoreBanking, currency: str) -> Decimal:
    """What a customer may send a day while the cooling-off after registering runs, in the bank's
    currency: ``REGISTRATION_COOLING_OFF_CAP`` (unset: 200.00), never above the bank's KYC level 1
    daily limit — a cap set above it refuses to start (the cooling-off only ever lowers limits),
    the default is lowered to it."""
    levels = sorted(bank.kyc_levels(), key=lambda level: level.level)
    ceiling = levels[0].daily if levels else None
    wanted = config.registration_cooling_off_cap
    if wanted is None:
        return COOLING_OFF_DAILY_CAP if ceiling is None else min(COOLING_OFF_DAILY_CAP, ceiling)
    if ceiling is not None and wanted > ceiling:
        raise ConfigError(
            [
                f"REGISTRATION_COOLING_OFF_CAP: is {currency} {wanted:,.2f}, more than the bank's "
                f"KYC level {levels[0].level} daily limit ({currency} {ceiling:,.2f}); the "
                "cooling-off can only lower limits: set it at or below that"
            ]
        )
    return wanted
