"""Which database the demo bank runs on, from ``BANK_DATABASE``: a path is a SQLite file (the
embedded default), a ``postgresql://`` or ``postgres://`` URL a PostgreSQL database. Anything
else — another kind of URL, an empty value — is refused with a message naming the setting, so a
URL is never taken for a folder name again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from bank.demo import SqlBank, SqliteBank, utc_now
from bank.ledger import Guard
from bank.pg_db import PostgresDatabase, readable, redacted

POSTGRES_SCHEMES = ("postgresql", "postgres")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


class PostgresBank(SqlBank):
    """The demo bank on a PostgreSQL database (``bank.pg_db``), shared by any number of hosts."""

    def __init__(
        self,
        url: str,
        clock: Callable[[], datetime] = utc_now,
        guards: Sequence[Guard] = (),
        pool_max: int | None = None,
    ) -> None:
        database = PostgresDatabase(url) if pool_max is None else PostgresDatabase(url, pool_max)
        super().__init__(database, clock, guards)


def scheme_of(value: str) -> str | None:
    """The URL scheme of ``value`` (``postgresql``), or None for a path (``C:`` is a drive)."""
    match = _SCHEME.match(value)
    if "://" in value or (match and len(match.group(1)) > 1):
        return match.group(1).lower() if match else ""
    return None


def is_postgres(value: str) -> bool:
    """``postgresql://…`` or ``postgres://…`` (libpq reads both)."""
    return value.lower().startswith(tuple(f"{scheme}://" for scheme in POSTGRES_SCHEMES))


def location_problems(value: str) -> list[str]:
    """Why ``value`` can't be BANK_DATABASE (empty: it can). Never quotes the value: a URL
    may hold a password."""
    if is_postgres(value):
        if "\0" in value or not readable(value):
            return ["BANK_DATABASE: not a readable PostgreSQL URL (postgresql://user@host/name)"]
        return []
    scheme = scheme_of(value)
    if scheme in POSTGRES_SCHEMES:  # postgresql:x, postgres:/x
        return ["BANK_DATABASE: not a readable PostgreSQL URL (postgresql://user@host/name)"]
    if scheme is not None:
        return [
            f"BANK_DATABASE: {scheme or 'these'} URLs are not supported; set the path of a "
            "SQLite file (such as var/bank.sqlite3) or a postgresql:// URL"
        ]
    if not value.strip() or "\0" in value:
        return [
            "BANK_DATABASE: must be the path of a SQLite file (such as var/bank.sqlite3) or a "
            "postgresql:// URL"
        ]
    return []


def describe(location: str) -> str:
    """``location`` fit for a log line: a URL loses its password."""
    return redacted(location) if is_postgres(location) else location


def open_bank(
    location: str | Path,
    clock: Callable[[], datetime] = utc_now,
    guards: Sequence[Guard] = (),
) -> SqlBank:
    """The demo bank at ``location`` (checked by ``location_problems`` first). A SQLite file's
    folder is created if missing; a PostgreSQL database must exist (its tables are created)."""
    text = str(location)
    if is_postgres(text):
        return PostgresBank(text, clock, guards)
    Path(text).parent.mkdir(parents=True, exist_ok=True)
    return SqliteBank(text, clock, guards)
