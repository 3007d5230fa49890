"""The ``flask --app app admin …`` commands: the console's first start and recovery.

``create-user USERNAME --role ROLE`` makes an account and prints its one-time set-up link (24
hours; the person sets a password and an authenticator app there); ``reset USERNAME`` prints a
new link for someone who lost their authenticator (and revokes their API tokens, as a reset in
the console does); ``unlock USERNAME`` lifts a sign-in lockout; ``list`` shows who has access.
Every change is audited with the actor ``cli``.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from admin.staff.accounts import StaffAccounts, StaffProblem
from admin.staff.roles import Role, describe
from admin.wiring import services

admin_cli = AppGroup("admin", help="Staff accounts of the console.")
ACTOR = "cli"


def _accounts() -> StaffAccounts:
    return services().staff


def _audit(event: str, target: str, **detail: str) -> None:
    graph = services()
    graph.auth.audit.record(
        event,
        at=graph.clock(),
        customer_id="",
        msisdn="",
        channel="cli",
        result="ok",
        actor=ACTOR,
        target=target,
        **detail,
    )


def _refused(exc: StaffProblem) -> click.ClickException:
    return click.ClickException("; ".join(exc.problems))


@admin_cli.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="viewer, operator, admin or auditor.",
)
def create_user(username: str, role: str) -> None:
    """Create USERNAME and print its one-time set-up link."""
    try:
        token = _accounts().create(username.strip().lower(), Role(role), by=ACTOR)
    except StaffProblem as exc:
        raise _refused(exc) from exc
    _audit("staff.created", username.strip().lower(), role=role)
    click.echo(f"{username.strip().lower()}: {role} ({describe(Role(role))})")
    click.echo("Set-up link (valid 24 hours, once; send it to that person only):")
    click.echo(_accounts().setup_url(token))


@admin_cli.command("reset")
@click.argument("username")
def reset_user(username: str) -> None:
    """Clear USERNAME's password, authenticator and API tokens; print a new set-up link."""
    try:
        token = _accounts().reset(username, by=ACTOR)
    except StaffProblem as exc:
        raise _refused(exc) from exc
    # Their credentials may no longer be theirs alone: the tokens go too (each one audited),
    # or they would work again once the new set-up is done.
    revoked = services().tokens.revoke_all(username, ACTOR, channel="cli")
    _audit("staff.reset", username)
    if revoked:
        click.echo(f"{username}: {revoked} API token(s) revoked")
    click.echo("New set-up link (valid 24 hours, once):")
    click.echo(_accounts().setup_url(token))


@admin_cli.command("unlock")
@click.argument("username")
def unlock_user(username: str) -> None:
    """Lift USERNAME's sign-in lockout."""
    _accounts().unlock(username)
    _audit("staff.unlocked", username)
    click.echo(f"{username}: sign-in lockout lifted")


def _when(at: datetime | None) -> str:
    return at.astimezone(services().zone).strftime("%Y-%m-%d %H:%M") if at else "-"


@admin_cli.command("list")
def list_users() -> None:
    """Show every staff account: role, status, last sign-in."""
    users = _accounts().all()
    if not users:
        click.echo("no staff accounts yet: flask --app app admin create-user NAME --role admin")
    for user in users:
        click.echo(
            f"{user.username:<24} {user.role.value:<9} {user.status.value:<9} "
            f"last sign-in {_when(user.last_login_at)}"
        )
