"""What the secure pages, the token API and the ``flask auth`` commands use, and the one typed
way they reach it (see ``bot.wiring``). ``resume`` is the typed callback the pages call once a
registration, login or step-up page succeeded: the chat carries on (``Dispatcher.resume``,
wired by ``app.services``), without ``auth`` knowing the bot; ``welcome`` the one a wallet
opening calls (the chat says what the new customer can do and their limits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import Flask, current_app

from auth.care import CustomerCare
from auth.kyc.service import KycUpgrades
from auth.onboarding import Onboarding
from auth.service import AuthService
from auth.stepup import StepUpService

KEY = "teller.auth"


class AuthSettings(Protocol):
    @property
    def auth_api_key(self) -> str: ...
    @property
    def audit_retention_days(self) -> int: ...


class AuthServices(Protocol):
    """The part of the service graph ``auth``'s views and commands use."""

    @property
    def config(self) -> AuthSettings: ...
    @property
    def auth(self) -> AuthService: ...
    @property
    def stepup(self) -> StepUpService: ...
    @property
    def care(self) -> CustomerCare: ...
    @property
    def resume(self) -> Callable[[str], bool]: ...
    @property
    def kyc(self) -> KycUpgrades: ...
    @property
    def onboarding(self) -> Onboarding: ...
    @property
    def welcome(self) -> Callable[[str], bool]: ...


def install(app: Flask, graph: AuthServices) -> None:
    app.extensions[KEY] = graph


def services() -> AuthServices:
    graph: AuthServices = current_app.extensions[KEY]
    return graph
