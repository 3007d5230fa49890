"""What the admin API and the staff console use, and the one typed way their views reach it
(see ``bot.wiring``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from admin.approvals.changes import Changes
from admin.staff.accounts import StaffAccounts
from admin.staff.tokens import StaffTokens
from auth.care import CustomerCare
from auth.kyc.service import KycUpgrades
from auth.scenarios.service import ScenarioService
from auth.service import AuthService
from bank.ports import CoreBanking

KEY = "teller.admin"


class AdminSettings(Protocol):
    @property
    def admin_api_key(self) -> str: ...
    @property
    def admin_four_eyes(self) -> bool: ...
    @property
    def is_production(self) -> bool: ...
    @property
    def public_base_url(self) -> str: ...


class AdminServices(Protocol):
    """The part of the service graph the admin API and the console use."""

    @property
    def config(self) -> AdminSettings: ...
    @property
    def scenarios(self) -> ScenarioService: ...
    @property
    def changes(self) -> Changes: ...
    @property
    def staff(self) -> StaffAccounts: ...
    @property
    def tokens(self) -> StaffTokens: ...
    @property
    def auth(self) -> AuthService: ...
    @property
    def care(self) -> CustomerCare: ...
    @property
    def bank(self) -> CoreBanking: ...
    @property
    def bank_name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def kyc(self) -> KycUpgrades: ...


def install(app: Flask, graph: AdminServices) -> None:
    app.extensions[KEY] = graph


def services() -> AdminServices:
    graph: AdminServices = current_app.extensions[KEY]
    return graph
