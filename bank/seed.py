"""Loading a bank seed (``BANK_SEED`` at start-up, ``flask bank load FILE``): validate everything,
report every problem with its path, then load all or nothing.

``validate`` (from ``bank.seed_validate``) lists problems without touching a bank; ``load``
validates and inserts the whole document in one transaction (SQLite or PostgreSQL) through
``SqlBank.load_seed``; ``load_file`` also turns an unreadable file or invalid JSON into a
``SeedError`` at path ``$``. A bank that already holds data is never overwritten unless the
caller asks for ``replace``, which wipes and reloads inside that same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bank.demo import BankNotEmpty, SqlBank
from bank.seed_rules import SeedProblem
from bank.seed_validate import validate

__all__ = ["DEMO_SEED", "LoadSummary", "SeedError", "SeedProblem", "load", "load_file", "validate"]

DEMO_SEED = Path(__file__).parent / "seeds" / "demo.json"


class SeedError(Exception):
    """The seed was refused and nothing was loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[SeedProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class LoadSummary:
    """How many of each kind were loaded, e.g. ``{"customers": 6, "accounts": 10, ...}``."""

    counts: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in self.counts.items())


def load(bank: SqlBank, doc: object, replace: bool = False) -> LoadSummary:
    """Validate ``doc`` and load it, all or nothing; raise SeedError on any problem."""
    problems = validate(doc, today=bank.clock().date())
    if problems:
        raise SeedError(problems)
    assert isinstance(doc, dict)  # validate() reported anything else
    try:
        return LoadSummary(bank.load_seed(doc, replace=replace))
    except BankNotEmpty as exc:
        message = "the bank already holds data; load with --replace to wipe it and reload"
        raise SeedError([SeedProblem("$", message)]) from exc


def load_file(bank: SqlBank, path: str | Path, replace: bool = False) -> LoadSummary:
    """``load`` for a JSON file; unreadable or invalid JSON is a SeedError at path ``$``."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError([SeedProblem("$", f"cannot read {path.name}: {exc.strerror}")]) from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        # Only the position: the message of a decode error can quote the file's content.
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise SeedError([SeedProblem("$", f"not valid JSON{where}")]) from exc
    except RecursionError as exc:  # nested deeper than the parser goes (100,000 "[")
        raise SeedError([SeedProblem("$", "nested too deeply to read")]) from exc
    return load(bank, doc, replace=replace)
