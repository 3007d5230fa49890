"""What the admin API uses, and the one typed way its views reach it (see ``bot.wiring``)."""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app

from admin.approvals.changes import Changes
from auth.scenarios.service import ScenarioService

KEY = "teller.admin"


class AdminSettings(Protocol):
    @property
    def admin_api_key(self) -> str: ...


class AdminServices(Protocol):
    """The part of the service graph the admin API uses."""

    @property
    def config(self) -> AdminSettings: ...
    @property
    def scenarios(self) -> ScenarioService: ...
    @property
    def changes(self) -> Changes: ...


def install(app: Flask, graph: AdminServices) -> None:
    app.extensions[KEY] = graph


def services() -> AdminServices:
    graph: AdminServices = current_app.extensions[KEY]
    return graph
