"""A customer's KYC level on their customer page: the partial
``templates/admin/_customer_kyc.html`` (the level and its limits; for staff who may propose it,
a form: the new level and a reason) and the route it posts to,
``POST /admin/customers/<customer_id>/kyc-level`` (``Permission.PROPOSE_KYC``), which makes
the change through four eyes (``propose``) and goes back to the customer page.

The customer page belongs to another screen, so what the form needs reaches the partial through
``kyc_panel(customer)``, a template function: the levels, the customer's version, and the
problems of a refused form carried across the redirect in the session (once: reading them
removes them). A refused reason is not carried back: it may hold a number the audit must not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import flash, redirect, request, session
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from admin.console.blueprint import bp
from admin.console.guard import allowed, current_staff, requires
from admin.console.render import by_field
from admin.kyc.base import KycStale
from admin.kyc.inputs import version, whole
from admin.kyc.propose import propose
from admin.staff.roles import Permission
from admin.wiring import services
from auth.scenarios.validate import Invalid

CARRIED = "kyc_level_form"  # session: {"customer", "problems", "typed", "stale"}, read once
FIELDS = ("level", "reason")


class HasLevel(Protocol):
    """What the partial needs of the customer page's ``customer``."""

    @property
    def customer_id(self) -> str: ...
    @property
    def kyc_level(self) -> int: ...


@dataclass(frozen=True)
class Panel:
    customer_id: str
    level: int
    limits: dict[str, str]  # the current level's limits in the bank's currency ({} unknown)
    options: list[tuple[int, str]]  # the other levels: (number, "Level 3 · USD 10,000.00 ...")
    can_propose: bool
    problems: dict[str, list[str]] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    stale: str = ""


def customer_path(customer_id: str) -> str:
    return f"/admin/customers/{customer_id}"


def kyc_panel(customer: HasLevel) -> Panel:
    graph = services()
    money = f"{graph.currency} {{:,.2f}}".format
    levels = {level.level: level for level in graph.bank.kyc_levels()}
    now = levels.get(customer.kyc_level)
    limits = (
        {
            "per_transaction": money(now.per_transaction),
            "daily": money(now.daily),
            "monthly": money(now.monthly),
        }
        if now
        else {}
    )
    options = [
        (n, f"Level {n} · {money(k.per_transaction)} a transfer, {money(k.daily)} a day")
        for n, k in sorted(levels.items())
        if n != customer.kyc_level
    ]
    carried: dict[str, Any] = {}
    if session.get(CARRIED, {}).get("customer") == customer.customer_id:
        carried = session.pop(CARRIED)
    return Panel(
        customer.customer_id,
        customer.kyc_level,
        limits,
        options,
        allowed(Permission.PROPOSE_KYC),
        by_field(carried.get("problems", []), FIELDS),
        dict(carried.get("typed", {})),
        str(carried.get("stale", "")),
    )


@bp.context_processor
def _panel() -> dict[str, object]:
    return {"kyc_panel": kyc_panel}


@bp.post("/customers/<customer_id>/kyc-level")
@requires(Permission.PROPOSE_KYC)
def propose_customer_level(customer_id: str) -> ResponseReturnValue:
    customer = services().bank.customer(customer_id)
    if customer is None:
        raise NotFound()
    level_text = request.form.get("level", "").strip()
    reason = request.form.get("reason", "")
    level = whole(level_text)
    after = {"level": level if level is not None else level_text, "reason": reason}
    base = version(request.form.get("version", ""))
    back = redirect(customer_path(customer_id) + "#kyc-level-change", 303)
    try:
        outcome = propose(
            "customer.kyc_level", customer_id, after, base, current_staff().username, reason
        )
    except Invalid as exc:
        refused_reason = any(p.startswith("reason:") for p in exc.problems)
        typed = {"level": level_text, "reason": "" if refused_reason else reason}
        session[CARRIED] = {"customer": customer_id, "problems": exc.problems, "typed": typed}
        return back
    except KycStale:
        stale = (
            f"{customer.name}'s KYC level was changed by someone else after you opened this "
            "page: nothing was saved. Check the level shown and propose again."
        )
        session[CARRIED] = {"customer": customer_id, "problems": [], "stale": stale}
        return back
    if outcome.applied:
        flash(f"{customer.name} is now at KYC level {level}: in force for the next movement.")
    else:
        flash(
            f"KYC level {level} for {customer.name} proposed: it takes effect once an admin "
            "approves it.",
            "warning",
        )
    return back
