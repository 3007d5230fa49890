"""What the bank's SQL modules (``ledger``, ``limits``, ``p2p``, ``wallets``, ``kyc``, ``cards``,
``seed_sql``) need of a database connection, whichever engine is behind it.

Both adapters hand those modules an object with this shape: SQLite's own ``sqlite3.Connection``,
or ``bank.pg_db``'s thin wrapper around a psycopg connection. The SQL they send is written once,
with ``?`` placeholders and statements both engines accept (``INSERT … ON CONFLICT DO NOTHING``,
``RETURNING``); a row is read by column name (``sqlite3.Row`` or psycopg's dict rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from bank.schema import Dialect

T = TypeVar("T")

Row = Any
"""A row read by column name: ``sqlite3.Row`` or a psycopg dict row (money is an ``int`` of
cents from SQLite, a whole ``Decimal`` of cents from PostgreSQL's NUMERIC: both compare and
convert alike)."""


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A connection inside a transaction (writes) or in autocommit (reads)."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


class BankDatabase(Protocol):
    """What ``bank.demo.SqlBank`` needs of its database: ``bank.db.Database`` (SQLite) or
    ``bank.pg_db.PostgresDatabase``. ``write`` runs its function inside one write transaction
    (PostgreSQL may run it again after a serialization failure), ``read`` in autocommit."""

    location: str
    dialect: Dialect

    def write(self, work: Callable[[Connection], T], /) -> T: ...

    def read(self, work: Callable[[Connection], T], /) -> T: ...

    def run(self, sql: str, *args: object) -> None: ...

    def rows(self, sql: str, *args: object) -> list[Any]: ...

    def close(self) -> None: ...
