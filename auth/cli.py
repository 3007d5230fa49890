"""The ``flask --app app auth …`` command group, for the bank's support staff at a terminal (the
staff console does the same in the browser): see a customer's chat-banking status, lift a
lockout, block or restore a number (for example when a phone is reported lost). The actions
and their rules are ``auth.care``'s, shared with the console; every change is audited with the
actor ``cli``. Numbers are printed masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import click
from flask.cli import AppGroup

from auth.care import Actor, CustomerCare, Refused
from auth.service import AuthService
from auth.wiring import services
from messaging.masking import mask_phone

auth_cli = AppGroup("auth", help="Look after customers' chat-banking access.")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
CLI = Actor("cli", "cli")  # who the audit names for these commands
T = TypeVar("T")


def _service() -> AuthService:
    return services().auth


def _customer(number: str) -> str:
    if not _E164.fullmatch(number):
        raise click.BadParameter("must be an E.164 number such as +2348030000001")
    customer = _service().bank.customer_by_msisdn(number)
    if customer is None:
        raise click.ClickException(f"{mask_phone(number)} is not in the chat-banking directory")
    return customer.customer_id


def _act(number: str, action: Callable[[CustomerCare], T]) -> T:
    """Run one of ``auth.care``'s actions; a refusal is the command's error, saying why."""
    try:
        return action(services().care)
    except Refused as exc:
        if exc.field:
            raise click.BadParameter(exc.why, param_hint=f"--{exc.field}") from exc
        raise click.ClickException(f"{mask_phone(number)} {exc.why}") from exc


@auth_cli.command("status")
@click.argument("number")
def status_command(number: str) -> None:
    """Show NUMBER's registration, session and any block."""
    _customer(number)
    service = _service()
    creds = service.credentials.get(number)
    check = service.sessions.check(number, service.clock(), extend=False)
    click.echo(f"number:     {mask_phone(number)}")
    click.echo(f"registered: {creds.registered_at.isoformat() if creds else 'no'}")
    if creds is not None:
        click.echo(f"status:     {creds.status.value} {creds.status_reason}".rstrip())
        click.echo(f"authenticator: {'yes' if creds.totp_secret else 'no'}")
    click.echo(f"session:    {check.status.value}")
    until = service.blocked_until(number)
    click.echo(f"lockout:    {'until ' + until.isoformat() if until else 'none'}")


@auth_cli.command("unblock")
@click.argument("number")
@click.option("--reason", default="lockout lifted", show_default=True, help="For the audit log.")
def unblock_command(number: str, reason: str) -> None:
    """Lift NUMBER's lockouts (the next block will still be longer)."""
    customer_id = _customer(number)
    _act(number, lambda care: care.lift_lockout(number, customer_id, reason, CLI))
    click.echo(f"{mask_phone(number)}: lockouts lifted")


@auth_cli.command("block")
@click.argument("number")
@click.option("--reason", required=True, help="Why, for the audit log (e.g. 'lost phone').")
@click.option("--lost-phone", is_flag=True, help="The phone was reported lost or stolen.")
def block_command(number: str, reason: str, lost_phone: bool) -> None:
    """Block NUMBER's chat banking until restored; ends its session and links."""
    customer_id = _customer(number)
    status = _act(
        number, lambda care: care.block(number, customer_id, reason, CLI, lost_phone=lost_phone)
    )
    click.echo(f"{mask_phone(number)}: {status.value}")


@auth_cli.command("restore")
@click.argument("number")
@click.option("--reason", default="restored by staff", show_default=True, help="For the audit log.")
def restore_command(number: str, reason: str) -> None:
    """Restore NUMBER's chat banking after a block by staff."""
    customer_id = _customer(number)
    _act(number, lambda care: care.restore(number, customer_id, reason, CLI))
    click.echo(f"{mask_phone(number)}: registered")


@auth_cli.command("reset")
@click.argument("number")
@click.option("--reason", required=True, help="Why, for the audit log.")
@click.confirmation_option(prompt="The customer will have to register again. Go on?")
def reset_command(number: str, reason: str) -> None:
    """Reset NUMBER's registration: credentials removed, ID released, session and links ended
    (money and bank data untouched). The customer registers again in the chat."""
    customer_id = _customer(number)
    _act(number, lambda care: care.reset_registration(number, customer_id, reason, CLI))
    click.echo(f"{mask_phone(number)}: registration reset")


@auth_cli.command("logout")
@click.argument("number")
@click.option("--reason", required=True, help="Why, for the audit log.")
def logout_command(number: str, reason: str) -> None:
    """End NUMBER's session and every outstanding link (log out everywhere)."""
    customer_id = _customer(number)
    ended = _act(number, lambda care: care.end_sessions(number, customer_id, reason, CLI))
    click.echo(f"{mask_phone(number)}: {'session ended' if ended else 'no session was active'}")
