"""Builds the four-eyes service from the parts of the service graph it uses, and fills its
registry: one line per family of appliers (each kind of change the console can propose)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from redis import Redis

from admin.approvals.changes import Changes
from admin.approvals.kinds import Registry
from admin.approvals.replay import HistoryReader
from admin.approvals.scenarios import add_scenario_appliers
from admin.approvals.store import ChangeStore
from admin.kyc.build import LevelListener, add_kyc_appliers
from auth.scenarios.service import ScenarioService
from auth.service import AuthService
from auth.stores.audit import AuditLog
from bank.ports import CoreBanking


def build_changes(
    redis: Redis,
    *,
    scenarios: ScenarioService,
    audit: AuditLog,
    bank: CoreBanking,
    auth: AuthService,
    clock: Callable[[], datetime],
    four_eyes: bool,
    on_kyc_level: Sequence[LevelListener] = (),
) -> Changes:
    history = HistoryReader(audit, bank.customer, clock)
    registry = Registry()
    add_scenario_appliers(registry, scenarios, history)
    add_kyc_appliers(registry, bank, auth, on_kyc_level)
    return Changes(ChangeStore(redis), registry, audit, clock, four_eyes)
