"""What four eyes answers and refuses with: ``Submitted`` (applied now or pending),
``Decided`` (applied or superseded), ``Refused`` (a decision this staff member may not make),
``Outdated`` (proposed from an old version), and who is behind an author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from admin.approvals.store import PendingChange
from admin.staff.roles import Role

AUTOMATION = "automation:"  # the admin API's author prefix for the shared key's changes


class Staff(Protocol):
    """Who decides: the signed-in staff user (``admin.staff.accounts.StaffUser``)."""

    @property
    def username(self) -> str: ...
    @property
    def role(self) -> Role: ...


@dataclass(frozen=True)
class Submitted:
    """What ``submit`` did: applied at once (``result`` is what the service returned, such as
    the created scenario) or stored ``pending``."""

    applied: bool
    pending: PendingChange | None = None
    result: object = None


@dataclass(frozen=True)
class Decided:
    """What ``approve`` did: ``applied`` (``result`` from the service), or not (the change is
    now superseded; ``reason`` says what changed meanwhile)."""

    change: PendingChange
    applied: bool
    result: object = None
    reason: str = ""


class Refused(Exception):
    """A decision this staff member may not make; ``reason`` says why and what to do next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Outdated(Exception):
    """Proposed from a version that is no longer current: ``current`` is the target now."""

    def __init__(self, current: dict[str, Any], version: int) -> None:
        super().__init__(f"stale: version {version} is current")
        self.current = current
        self.version = version


def person(author: str) -> str:
    """Who is behind an author: the shared key's changes name a staff member too."""
    return author.removeprefix(AUTOMATION)


def approved_by(author: str, approver: str) -> str:
    """The actor of a change applied on approval, as the service stores and audits it."""
    return f"{author}, approved by {approver}"
