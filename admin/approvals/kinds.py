"""What four eyes can hold back: each kind of change is an ``Applier`` that knows how to read
the current value, check a proposed one, apply it and, where it can, say what it would have
changed (its impact). The pending-change store and the console handle every kind alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ImpactLine:
    """One row of an impact report, e.g. an action: how many of the replayed events were
    challenged (or refused) with the values in force, and how many would be with the change."""

    label: str
    replayed: int
    before: int
    after: int


@dataclass(frozen=True)
class Impact:
    """A change replayed against recent history (the last ``days`` days)."""

    days: int
    what: str  # what ``before``/``after`` count, e.g. "challenged" or "over the limit"
    lines: tuple[ImpactLine, ...] = ()
    note: str = ""  # e.g. "no money movement or profile change in the last 30 days"
    # How many were replayed, when every line replays the same events (a KYC change: a line per
    # limit); None: each line its own events, the total is their sum.
    total: int | None = None

    @property
    def replayed(self) -> int:
        if self.total is not None:
            return self.total
        return sum(line.replayed for line in self.lines)

    @property
    def before(self) -> int:
        return sum(line.before for line in self.lines)

    @property
    def after(self) -> int:
        return sum(line.after for line in self.lines)


class Applier(Protocol):
    """One kind of change (``kind`` such as ``scenario.update`` or ``kyc_level.put``)."""

    kind: str

    def snapshot(self, target: str) -> dict[str, Any] | None:
        """The current value of ``target`` as JSON-able data (None: it doesn't exist)."""
        ...

    def check(self, target: str, after: Mapping[str, Any]) -> list[str]:
        """Every problem with the proposed value, each starting with its field ("daily: ...");
        an empty list when it can be applied."""
        ...

    def apply(
        self, target: str, after: Mapping[str, Any], base_version: int | None, actor: str
    ) -> object:
        """Put the change in force as ``actor`` and return what the service returned (the
        caller may show it; None is fine); raises the service's own errors (a stale version,
        a broken rule) and changes nothing then."""
        ...

    def impact(
        self,
        target: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        since: datetime,
    ) -> Impact | None:
        """What the change would have done to the history since ``since`` (None: not known
        for this kind)."""
        ...


@dataclass
class Registry:
    """Every kind of change the console can propose, by ``kind``."""

    appliers: dict[str, Applier] = field(default_factory=dict)

    def add(self, applier: Applier) -> None:
        if applier.kind in self.appliers:
            raise ValueError(f"two appliers for {applier.kind!r}")
        self.appliers[applier.kind] = applier

    def __getitem__(self, kind: str) -> Applier:
        return self.appliers[kind]

    def __contains__(self, kind: object) -> bool:
        return kind in self.appliers
