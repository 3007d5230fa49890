"""What four eyes answers and refuses with: ``Submitted`` (applied now or pending),
``Decided`` (applied or superseded), ``Refused`` (a decision this staff member may not make),
``Outdated`` (proposed from an old version); who is behind an author; a proposal's base version
and what an approver is told when the target moved on meanwhile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from admin.approvals.diff import diff, summary
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
    """Who is behind an author, for comparing: the shared key's changes name a staff member
    too, and staff names are case-insensitive (sign-in lowercases them)."""
    return author.removeprefix(AUTOMATION).casefold()


def approved_by(author: str, approver: str) -> str:
    """The actor of a change applied on approval, as the service stores and audits it."""
    return f"{author}, approved by {approver}"


def base_of(before: Mapping[str, Any] | None, base_version: int | None) -> int | None:
    """The version a proposal is made from: ``Outdated`` if the caller's is no longer the
    target's; the target's own when the caller named none, so that approval still notices a
    change made meanwhile."""
    current = before.get("version") if before is not None else None
    if not isinstance(current, int):
        return base_version
    if base_version is not None and current != base_version:
        raise Outdated(dict(before or {}), current)
    return current


def meanwhile(change: PendingChange, now: Mapping[str, Any] | None) -> str:
    """What changed since the proposal (``now``: the target as it is), for the approver and
    the author to read."""
    if now is None:
        return "not applied: it was deleted after this change was proposed; propose again"
    who = now.get("updated_by")
    by = f" by {who}" if isinstance(who, str) and who else ""
    lines = diff(change.before, now) if change.before else []
    return (
        f"not applied: changed{by} after this change was proposed"
        f" ({summary(lines)}); propose it again on the current version"
    )
