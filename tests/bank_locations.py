"""Fresh places for a bank test's bank, on the engine the test runs on: SQLite files in the test's
temporary folder, or new databases on the test process's private PostgreSQL (each made from the
template that already holds the tables, dropped at the end of the test)."""

from __future__ import annotations

from itertools import count
from pathlib import Path

from bank.pg_db import close_all
from tests.postgres_server import PostgresServer


class BankLocations:
    """``new()`` gives a ``BANK_DATABASE`` no bank has used yet; ``clean_up()`` drops them."""

    def __init__(self, engine: str, folder: Path, server: PostgresServer | None) -> None:
        self.engine = engine
        self.folder = folder
        self.server = server
        self.made: list[str] = []
        self._emptied: list[str] = []
        self._numbers = count(1)

    def new(self) -> str:
        if self.server is None:
            location = str(self.folder / f"bank-{next(self._numbers)}.sqlite3")
        elif self._emptied:
            location = self._emptied.pop()
        else:
            location = self.server.new_database()
        self.made.append(location)
        return location

    def discard(self, location: str) -> None:
        """Done with one made earlier (a randomized run's bank, at its end): a SQLite file is
        left to the temporary folder, a PostgreSQL database is emptied for the next ``new``."""
        self.made.remove(location)
        if self.server is not None:
            close_all(location)
            self.server.empty(location)
            self._emptied.append(location)

    def clean_up(self) -> None:
        if self.server is None:
            return
        for url in self.made + self._emptied:
            close_all(url)
            self.server.drop(url)
