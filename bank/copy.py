"""Copying the whole demo bank from one database to another (``flask bank copy --to …``): the
way to move it from its SQLite file to PostgreSQL when it outgrows one machine, and back to a
SQLite file (a portable copy to keep or to inspect).

Every table is copied as it is — the same keys, the same ledger lines, the same idempotency
keys, so a replayed confirmation still finds its first result — inside one transaction on each
side: the source's (on SQLite that is the write lock, so nothing moves while it is read) and the
target's, which commits only after the copy is checked there: as many rows in every table, the
ledger sound (each reference's legs sum to zero, each balance is the sum of its legs) and the
same total balance as the source. A failed check, or a target that already holds a bank (unless
``replace``), leaves the target as it was.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bank.demo import SqlBank
from bank.errors import BankError
from bank.ledger import ledger_problems
from bank.schema import SERIALS, TABLES
from bank.sql import Connection


class CopyRefused(BankError):
    """Nothing was copied; ``problems`` says why (the target holds a bank, the check failed)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("bank not copied: " + "; ".join(problems))
        self.problems = problems


def _plain(value: Any) -> Any:
    # PostgreSQL's NUMERIC cents arrive as whole Decimals; SQLite stores no Decimal: both take int.
    return int(value) if isinstance(value, Decimal) else value


def _total(db: Connection) -> int:
    row = db.execute("SELECT COALESCE(SUM(balance), 0) AS total FROM accounts").fetchone()
    return int(row["total"])


def _copy_tables(source: Connection, target: Connection, replace: bool) -> dict[str, int]:
    held = target.execute("SELECT 1 FROM meta LIMIT 1").fetchone() is not None
    if held and not replace:
        raise CopyRefused(["the target already holds a bank (copy with --replace to wipe it)"])
    for table in TABLES:  # children first: no foreign key trips on the way out
        target.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    counts: dict[str, int] = {}
    for table in reversed(TABLES):  # parents first, on the way in
        rows = source.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
        counts[table] = len(rows)
        if not rows:
            continue
        columns = list(rows[0].keys())
        marks = ", ".join("?" for _ in columns)
        target.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            [tuple(_plain(row[c]) for c in columns) for row in rows],
        )
    return counts


def _check(source: Connection, target: Connection, counts: dict[str, int]) -> None:
    problems = []
    for table, expected in counts.items():
        row = target.execute(f"SELECT COUNT(*) AS n FROM {table}").fetchone()  # noqa: S608
        if int(row["n"]) != expected:
            problems.append(f"{table}: {row['n']} rows copied of {expected}")
    problems += ledger_problems(target)
    if _total(target) != _total(source):
        problems.append("the total balance differs from the source's")
    if problems:
        raise CopyRefused(problems)


def _move_counters(target: Connection) -> None:
    """PostgreSQL's identity columns don't see keys inserted explicitly: each counter moves past
    the largest copied key, or the next payee or ledger line would collide with a copied one.
    (SQLite's AUTOINCREMENT moves on by itself.)"""
    for table, column in SERIALS.items():
        target.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"  # noqa: S608
            f" COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
        )


def copy_bank(source: SqlBank, target: SqlBank, replace: bool = False) -> dict[str, int]:
    """Copy every table of ``source`` into ``target`` and check it there; rows per table.
    Raises CopyRefused (nothing written) or BankUnavailable (either side down or busy)."""

    def into_target(src: Connection) -> dict[str, int]:
        def copy(dst: Connection) -> dict[str, int]:
            counts = _copy_tables(src, dst, replace)
            if target.db.dialect.name == "postgresql":
                _move_counters(dst)
            _check(src, dst, counts)
            return counts

        return target.db.write(copy)

    return source.db.write(into_target)
