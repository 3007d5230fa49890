"""The KYC appliers, built over the bank and the identity service and added to a four-eyes
registry: the one call the registry's builder makes for this family."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from admin.approvals.kinds import Applier, Registry
from admin.kyc.customers import CustomerLevel
from admin.kyc.levels import LevelPut
from admin.kyc.replay import MovementReader
from admin.kyc.settings import SettingsPut
from auth.service import AuthService
from bank.ports import CoreBanking

LevelListener = Callable[[str, int], None]


def kyc_appliers(
    bank: CoreBanking, auth: AuthService, on_level: Sequence[LevelListener] = ()
) -> list[Applier]:
    """``kyc_level.put``, ``kyc_settings.put`` and ``customer.kyc_level``, sharing one reader
    of the audit's money movements; ``on_level`` hears of each customer level put in force."""
    history = MovementReader(auth.audit, auth.clock)
    return [
        LevelPut(bank, auth, history),
        SettingsPut(bank, auth, history),
        CustomerLevel(bank, auth, history, list(on_level)),
    ]


def add_kyc_appliers(
    registry: Registry,
    bank: CoreBanking,
    auth: AuthService,
    on_level: Sequence[LevelListener] = (),
) -> None:
    for applier in kyc_appliers(bank, auth, on_level):
        registry.add(applier)
