"""The ``flask --app app bank …`` command group, for the bank's engineers.

``bank load FILE [--replace]`` validates a seed file and loads it into the app's bank (the
``bank`` attribute of ``current_app.extensions["teller"]``), all or nothing. On success it prints
how many of each kind were loaded; otherwise it prints every problem, one per line with its path,
to stderr and exits with status 1. It only ever prints counts, paths and messages — never a value
from the seed, so no full account number, card number or date of birth reaches a terminal or a
CI log.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from bank.demo import SqlBank
from bank.seed import SeedError, load_file

bank_cli = AppGroup("bank", help="Manage the demo bank (SQLite or PostgreSQL).")


@bank_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Wipe the bank's current data and reload.")
def load_command(file: Path, replace: bool) -> None:
    """Validate FILE (a JSON seed) and load it into the bank: everything, or nothing."""
    bank: SqlBank = current_app.extensions["teller"].bank
    try:
        summary = load_file(bank, file, replace=replace)
    except SeedError as exc:
        count = len(exc.problems)
        click.echo(f"{file.name}: not loaded, {count} problem{'s' * (count != 1)}:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"{file.name}: loaded {summary}")
