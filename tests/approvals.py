"""Four-eyes test helpers: staff members as ``approve``/``reject`` see them, the four-eyes
switch turned on for one test, and a step-up decision written into the audit stream as the
chat writes it (for the impact replay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from admin.staff.roles import Role
from app import Services


@dataclass(frozen=True)
class Who:
    username: str
    role: Role = Role.ADMIN


ALICE = Who("alice")
BOB = Who("bob")
CAROL = Who("carol")
VIEWER = Who("victor", Role.VIEWER)
OPERATOR = Who("olu", Role.OPERATOR)


def four_eyes_on(services: Services) -> None:
    services.changes.four_eyes = True


def decided(
    services: Services,
    action: str,
    amount: str = "",
    *,
    customer_id: str = "C001",
    at: datetime | None = None,
    event: str = "stepup.start",
    decision: str = "",
) -> None:
    """One step-up decision in the audit stream, as ``auth.stepup`` records it."""
    detail = {"action": action, "decision": decision or "decided", "scenario": "oob07"}
    if amount:
        detail["amount"] = f"USD {amount}"
    services.auth.audit.record(
        event,
        at=at or services.clock(),
        customer_id=customer_id,
        msisdn="+2348030000001",
        channel="whatsapp",
        result="started" if event == "stepup.start" else "not_required",
        **detail,
    )
