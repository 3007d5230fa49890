"""Staff-console test helpers: make a staff member with a password and an authenticator, and a
Flask test client signed in as them (forms carry the CSRF token the page gave)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from admin.staff.roles import Role
from app import Services
from tests.fakes import FrozenClock

PASSWORD = "violet ferry lagos harbour"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Staff:
    username: str
    role: Role
    secret: str
    password: str = PASSWORD

    def code(self, clock: FrozenClock) -> str:
        """A fresh code: the clock moves on a time step first (a code is accepted once)."""
        clock.advance(seconds=30)
        return pyotp.TOTP(self.secret).at(clock())


def make_staff(services: Services, username: str, role: Role | str) -> Staff:
    """An active staff account, set up as the set-up pages would (password, authenticator)."""
    accounts = services.staff
    token = accounts.create(username, Role(role), by="test")
    assert accounts.choose_password(token, PASSWORD, PASSWORD) == []
    secret = accounts.pending_secret(username)
    assert accounts.confirm_authenticator(token, pyotp.TOTP(secret).at(services.clock()))
    return Staff(username, Role(role), secret)


@dataclass
class ConsoleClient:
    """A browser-like client of the console: keeps cookies and the last CSRF token."""

    client: FlaskClient
    clock: FrozenClock
    csrf: str = ""
    last: TestResponse | None = field(default=None, repr=False)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(path, **kwargs)
        found = _CSRF.search(response.get_data(as_text=True))
        if found:
            self.csrf = found.group(1)
        self.last = response
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        if not self.csrf:
            self.get("/admin/login")
        response = self.client.post(path, data={**(data or {}), "csrf_token": self.csrf}, **kwargs)
        found = _CSRF.search(response.get_data(as_text=True))
        if found:
            self.csrf = found.group(1)
        self.last = response
        return response

    def sign_in(self, staff: Staff) -> TestResponse:
        self.get("/admin/login")
        response = self.post(
            "/admin/login",
            {
                "username": staff.username,
                "password": staff.password,
                "code": staff.code(self.clock),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


def console_as(
    app: Flask, services: Services, clock: FrozenClock, role: Role | str, username: str = ""
) -> tuple[ConsoleClient, Staff]:
    """A console client signed in as a new staff member of ``role``."""
    staff = make_staff(services, username or f"{Role(role).value}.one", role)
    console = ConsoleClient(app.test_client(), clock)
    console.sign_in(staff)
    return console, staff
