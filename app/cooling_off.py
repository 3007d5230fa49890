"""The cooling-off cap after registering, checked against the bank's own limits at start.

Split from ``app.services`` (which builds the graph): a start-time rule that reads the
configuration and the bank, and refuses a cap the bank's KYC levels don't allow.
"""

from __future__ import annotations

from decimal import Decimal

from app.config import Config, ConfigError
from auth.service import COOLING_OFF_DAILY_CAP
from bank.ports import CoreBanking


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
