"""Rendering a console page: the bank's name, the signed-in staff member, the menu they may
see (entries their role can't use are not shown — and their routes refuse them anyway), the
problems of a form by field, and counters shown beside menu entries (pending approvals)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import render_template, request
from flask.typing import ResponseReturnValue

from admin.console.guard import allowed, signed_in
from admin.staff.roles import Permission
from admin.wiring import services


@dataclass(frozen=True)
class MenuEntry:
    label: str
    path: str
    permission: Permission | None


# The menu, in groups, as the seed's console names them (Security & Authentication > ...).
MENU: tuple[tuple[str, tuple[MenuEntry, ...]], ...] = (
    (
        "Security & Authentication",
        (
            MenuEntry("MFA Scenarios", "/admin/scenarios", Permission.READ_CONFIG),
            MenuEntry("MFA configuration", "/admin/mfa-config", Permission.READ_CONFIG),
            MenuEntry("Which challenge fires?", "/admin/scenarios/dry-run", Permission.READ_CONFIG),
        ),
    ),
    (
        "Customers",
        (
            MenuEntry("Customers", "/admin/customers", Permission.READ_CUSTOMERS),
            MenuEntry("KYC levels", "/admin/kyc", Permission.READ_CONFIG),
            MenuEntry("KYC reviews", "/admin/kyc/reviews", Permission.REVIEW_KYC),
        ),
    ),
    (
        "Governance",
        (
            MenuEntry("Approvals", "/admin/approvals", Permission.APPROVE),
            MenuEntry("Audit log", "/admin/audit", Permission.READ_AUDIT),
            MenuEntry("Staff", "/admin/staff", Permission.MANAGE_STAFF),
        ),
    ),
    ("You", (MenuEntry("API tokens", "/admin/tokens", None),)),
)
# path → a function giving a number to show beside the entry (0: nothing shown).
COUNTERS: dict[str, Callable[[], int]] = {}


def menu() -> list[tuple[str, list[tuple[MenuEntry, int, bool]]]]:
    """The groups and entries this staff member may use: (entry, counter, is the current)."""
    shown = []
    for group, entries in MENU:
        mine = []
        for entry in entries:
            if entry.permission is not None and not allowed(entry.permission):
                continue
            count = COUNTERS[entry.path]() if entry.path in COUNTERS else 0
            mine.append((entry, count, request.path == entry.path))
        if mine:
            shown.append((group, mine))
    return shown


def by_field(problems: Iterable[str], fields: Iterable[str]) -> dict[str, list[str]]:
    """Problems ("field: message") grouped by field; those naming no known field go under "".
    A problem about a part of a field ("challenge_types[0]: ...") goes to the field."""
    known = set(fields)
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        name, sep, message = problem.partition(": ")
        field = name.split("[", 1)[0].split(".", 1)[0]
        if sep and field in known:
            grouped.setdefault(field, []).append(message)
        else:
            grouped.setdefault("", []).append(problem)
    return grouped


def page(template: str, status: int = 200, **context: object) -> ResponseReturnValue:
    """A console page with the common context (bank_name, staff, menu, allowed)."""
    user = signed_in()
    values: dict[str, object] = {
        "bank_name": services().bank_name,
        "staff": user,
        "menu": menu() if user else [],
        "allowed": allowed,
        "Permission": Permission,
        "four_eyes": services().changes.four_eyes,
    }
    values.update(context)
    return render_template(template, **values), status
