"""A pending change field by field: what each field was when the change was proposed and what
it would become. Bookkeeping fields (id, who and when, version) are left out: they change with
every write and say nothing about the change itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

META = frozenset({"id", "created_by", "created_at", "updated_by", "updated_at", "version"})
NONE = "—"
GONE = "(deleted)"


@dataclass(frozen=True)
class DiffLine:
    field: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def show(value: Any) -> str:
    """A field's value as staff read it: lists joined, nothing as a dash."""
    if value is None or value == "":
        return NONE
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) or NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[DiffLine]:
    """One line per field the change names (all of them for a deletion, ``after`` empty), in
    the order the value lists them; a field ``after`` leaves out keeps its value."""
    old = before or {}
    if not after and before is not None:  # a deletion: everything goes
        return [
            DiffLine(name, show(value), GONE) for name, value in old.items() if name not in META
        ]
    names = [name for name in after if name not in META]
    return [DiffLine(name, show(old.get(name)), show(after[name])) for name in names]


def summary(lines: list[DiffLine]) -> str:
    """The changed lines in one sentence ("value_above: 500.00 → 800.00; status: ...")."""
    changed = [f"{line.field}: {line.before} → {line.after}" for line in lines if line.changed]
    return "; ".join(changed) or "no field changed"
