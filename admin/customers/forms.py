"""Reading the customer page's action forms into what ``auth.care`` is asked, or into problems by
field. Each form's fields carry its action's prefix (``block_reason``, ``lift_kind``), so one
page holds every form and a problem shows beside the field it is about. The reason's rule is
``auth.care.reason_problem``: the console, the commands and the API share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from werkzeug.datastructures import MultiDict

from auth.care import clean_reason, reason_problem
from auth.stores.lockout import Kind


class Action(StrEnum):
    BLOCK = "block"
    UNBLOCK = "unblock"
    LIFT = "lift"
    END = "end"
    RESET = "reset"


@dataclass(frozen=True)
class ActionForm:
    action: Action
    reason: str
    lost_phone: bool = False
    kinds: tuple[Kind, ...] = ()
    confirmed: bool = False

    def values(self) -> dict[str, object]:
        """What the form showed, to fill it in again beside its problems."""
        return {
            f"{self.action}_reason": self.reason,
            "block_lost_phone": self.lost_phone,
            "lift_kind": [k.value for k in self.kinds],
            "reset_confirm": self.confirmed,
        }


def read(action: Action, form: MultiDict[str, str]) -> tuple[ActionForm, dict[str, list[str]]]:
    """The form as typed (the reason cleaned) and its problems by field (empty: go ahead)."""
    raw_reason = form.get(f"{action}_reason", "")[:1000]
    problems: dict[str, list[str]] = {}
    problem = reason_problem(raw_reason)
    if problem:
        problems[f"{action}_reason"] = [problem]
    kinds: list[Kind] = []
    if action is Action.LIFT:
        for value in form.getlist("lift_kind"):
            if value not in {k.value for k in Kind}:
                problems["lift_kind"] = ["Choose among the lockouts listed."]
            elif Kind(value) not in kinds:
                kinds.append(Kind(value))
        if not kinds and "lift_kind" not in problems:
            problems["lift_kind"] = ["Choose at least one lockout to lift."]
    confirmed = form.get("reset_confirm") == "yes"
    if action is Action.RESET and not confirmed:
        problems["reset_confirm"] = [
            "Tick the box to confirm: the customer will have to register again."
        ]
    parsed = ActionForm(
        action=action,
        reason=clean_reason(raw_reason) if not problem else raw_reason,
        lost_phone=action is Action.BLOCK and form.get("block_lost_phone") == "yes",
        kinds=tuple(kinds),
        confirmed=confirmed,
    )
    return parsed, problems
