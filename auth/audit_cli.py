"""The ``flask --app app audit …`` command group: check the audit stream's hash chain
(``verify``: exit code 1 and the first entry that breaks it) and apply the retention setting
(``trim``: run it daily, e.g. from cron). Neither prints an entry's contents.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from auth.wiring import services

audit_cli = AppGroup("audit", help="Check and trim the audit log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the audit chain oldest to newest; fail on the first entry that breaks it."""
    graph = services()
    audit = graph.auth.audit
    anchor = audit.anchor()
    verdict = audit.verify()
    if anchor.entry_id:
        click.echo(f"starts after trimmed entry {anchor.entry_id}")
    if not verdict.ok:
        click.echo(f"entry {verdict.broken_at}: {verdict.problem}", err=True)
        click.echo(f"audit chain: {verdict.verified} entries verified before it", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain: {verdict.verified} entries verified")


@audit_cli.command("trim")
def trim_command() -> None:
    """Drop entries older than AUDIT_RETENTION_DAYS, keeping the chain verifiable."""
    graph = services()
    days = graph.config.audit_retention_days
    dropped = graph.auth.audit.trim(days)
    click.echo(f"audit: {dropped} entries older than {days} days dropped")
