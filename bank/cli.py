"""``flask --app app bank load FILE [--replace]``: load a bank seed, or list every problem."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from bank.seed import SeedError, load_file

bank_cli = AppGroup("bank", help="Manage the embedded demo bank.")


@bank_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Wipe the bank's current data first.")
def load_command(file: Path, replace: bool) -> None:
    """Validate FILE and load it into the bank: everything, or nothing."""
    bank = current_app.extensions["teller"].bank
    try:
        summary = load_file(bank, file, replace=replace)
    except SeedError as exc:
        click.echo(f"{file.name}: not loaded, {len(exc.problems)} problem(s):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"loaded {file.name}: {summary}")
