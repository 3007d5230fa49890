"""The ``flask --app app bank …`` command group, for the bank's engineers.

``bank copy --to DATABASE [--replace]`` copies the whole bank to another database (SQLite to
PostgreSQL, or back), checked before it commits (``bank.copy``).

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

from bank.copy import CopyRefused, copy_bank
from bank.demo import SqlBank
from bank.engines import describe, location_problems, open_bank
from bank.errors import BankUnavailable
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


@bank_cli.command("copy")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="DATABASE",
    help="Where to: a postgresql:// URL, or the path of a SQLite file.",
)
@click.option("--replace", is_flag=True, help="Wipe a bank the target already holds.")
def copy_command(target: str, replace: bool) -> None:
    """Copy the whole bank (BANK_DATABASE) to another database: every table in one
    transaction, committed only once the copy's rows and ledger are checked there."""
    bank: SqlBank = current_app.extensions["teller"].bank
    where = describe(target)  # never the URL's password
    problems = [p.replace("BANK_DATABASE", "--to", 1) for p in location_problems(target)]
    if not problems and target == bank.location:
        problems = ["--to: that is the bank's own database (BANK_DATABASE)"]
    try:
        if problems:
            raise CopyRefused(problems)
        other = open_bank(target)
        try:
            counts = copy_bank(bank, other, replace=replace)
        finally:
            other.close()
    except CopyRefused as exc:
        click.echo(f"not copied to {where}:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from exc
    except BankUnavailable as exc:
        click.echo(
            f"not copied to {where}: a database did not answer in time ({exc}); nothing was "
            "written, try again",
            err=True,
        )
        raise SystemExit(1) from exc
    rows = ", ".join(f"{count} {table}" for table, count in counts.items() if count)
    click.echo(f"copied to {where}: {rows}; rows and ledger checked")
