"""The KYC levels page (``/admin/kyc``): each level's per-transaction, daily and monthly limits
in the bank's currency, and the cooling-off after registering (period and cap). Everyone who
reads the configuration sees them; admins get a form per level, one to add the next level and
one for the cooling-off, each change with a reason and through four eyes (``propose``).

A form that breaks a rule comes back (422) with each problem beside its field and the values
as typed; nothing is saved. A form made from values someone changed since gets the page again
(409) with the current values and says so. A change in force applies to the next movement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.console.blueprint import bp
from admin.console.guard import current_staff, requires
from admin.console.render import by_field, page
from admin.kyc.base import KycStale
from admin.kyc.inputs import amount_text, version, whole
from admin.kyc.levels import fingerprint
from admin.kyc.propose import Proposed, propose
from admin.staff.roles import Permission
from admin.wiring import services
from auth.cooling_off import ceiling_of
from auth.scenarios.validate import Invalid
from bank.kyc import LIMITS

LEVEL_FIELDS = (*LIMITS, "reason")
SETTINGS_FIELDS = ("hours", "cap", "reason")


@dataclass(frozen=True)
class LevelRow:
    level: int
    shown: dict[str, str]  # each limit in the bank's currency: "USD 1,000.00"
    values: dict[str, str]  # each limit as a form shows it: "1000.00"
    version: int


def money(amount: Decimal) -> str:
    return f"{services().currency} {amount:,.2f}"


def _rows() -> list[LevelRow]:
    return [
        LevelRow(
            level.level,
            {name: money(getattr(level, name)) for name in LIMITS},
            {name: f"{getattr(level, name):.2f}" for name in LIMITS},
            fingerprint(level),
        )
        for level in services().bank.kyc_levels()
    ]


def _levels_page(
    status: int = 200,
    form: str = "",
    problems: list[str] | None = None,
    typed: Mapping[str, str] | None = None,
    stale: str = "",
) -> ResponseReturnValue:
    """The page; ``form`` names the form that came back (``level-2``, ``level-new``,
    ``cooling-off``) with its ``problems`` and the values ``typed``."""
    graph = services()
    rows = _rows()
    settings = graph.auth.cooling.get()
    ceiling = ceiling_of(graph.bank)
    fields = SETTINGS_FIELDS if form == "cooling-off" else LEVEL_FIELDS
    return page(
        "admin/kyc.html",
        status,
        rows=rows,
        next_level=max((row.level for row in rows), default=0) + 1,
        settings=settings,
        cap_shown=money(settings.cap),
        ceiling_shown=money(ceiling) if ceiling is not None else "",
        currency=graph.currency,
        form=form,
        problems=by_field(problems or [], fields),
        typed=dict(typed or {}),
        stale=stale,
    )


@bp.get("/kyc")
@requires(Permission.READ_CONFIG)
def kyc_levels() -> ResponseReturnValue:
    return _levels_page()


def _done(what: str, outcome: Proposed) -> ResponseReturnValue:
    if outcome.applied:
        flash(f"{what} saved: in force for the next money movement.", "success")
    else:
        flash(f"{what} proposed: it takes effect once another admin approves it.", "warning")
    return redirect(url_for("console.kyc_levels"), 303)


def _make(
    what: str, form: str, kind: str, target: str, after: dict[str, Any]
) -> ResponseReturnValue:
    reason = str(after.get("reason", ""))
    base = version(request.form.get("version", ""))
    try:
        outcome = propose(kind, target, after, base, current_staff().username, reason)
    except Invalid as exc:
        return _levels_page(422, form, exc.problems, request.form)
    except KycStale:
        stale = (
            f"{what} was changed by someone else after you opened this page: nothing was "
            "saved. The page shows the values in force now; make your change again on them."
        )
        return _levels_page(409, form, [], request.form, stale)
    return _done(what, outcome)


@bp.post("/kyc/levels/<int:level>")
@requires(Permission.EDIT_CONFIG)
def save_level(level: int) -> ResponseReturnValue:
    """Change a level's limits (or add the next level: the same form, a new number)."""
    known = {row.level for row in _rows()}
    form = f"level-{level}" if level in known else "level-new"
    after: dict[str, Any] = {name: amount_text(request.form.get(name, "")) for name in LIMITS}
    after["reason"] = request.form.get("reason", "")
    return _make(f"KYC level {level}", form, "kyc_level.put", str(level), after)


@bp.post("/kyc/cooling-off")
@requires(Permission.EDIT_CONFIG)
def save_cooling_off() -> ResponseReturnValue:
    hours_text = request.form.get("hours", "").strip()
    after: dict[str, Any] = {
        "hours": whole(hours_text) if whole(hours_text) is not None else hours_text,
        "cap": amount_text(request.form.get("cap", "")),
        "reason": request.form.get("reason", ""),
    }
    return _make("The cooling-off after registering", "cooling-off", "kyc_settings.put", "", after)
