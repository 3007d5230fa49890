"""The ``flask --app app auth …`` command group, for the bank's support staff until the staff
console exists: see a customer's chat-banking status, lift a lockout, block or restore a number
(for example when a phone is reported lost). Every change is audited with the actor ``cli``.
Numbers are printed masked.
"""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from auth.service import AuthService
from auth.stores.credentials import AccountStatus
from auth.wiring import services
from messaging.masking import mask_phone

auth_cli = AppGroup("auth", help="Look after customers' chat-banking access.")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _service() -> AuthService:
    return services().auth


def _customer(number: str) -> str:
    if not _E164.fullmatch(number):
        raise click.BadParameter("must be an E.164 number such as +2348030000001")
    customer = _service().bank.customer_by_msisdn(number)
    if customer is None:
        raise click.ClickException(f"{mask_phone(number)} is not in the chat-banking directory")
    return customer.customer_id


def _audit(event: str, number: str, customer_id: str, **detail: str) -> None:
    service = _service()
    service.audit.record(
        event,
        at=service.clock(),
        customer_id=customer_id,
        msisdn=number,
        channel="cli",
        result="ok",
        actor="cli",
        **detail,
    )


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
def unblock_command(number: str) -> None:
    """Lift NUMBER's lockouts (the next block will still be longer)."""
    customer_id = _customer(number)
    _service().lockouts.unblock(number)
    _audit("unblock", number, customer_id, reason="lockout lifted")
    click.echo(f"{mask_phone(number)}: lockouts lifted")


@auth_cli.command("block")
@click.argument("number")
@click.option("--reason", required=True, help="Why, for the audit log (e.g. 'lost phone').")
@click.option("--lost-phone", is_flag=True, help="The phone was reported lost or stolen.")
def block_command(number: str, reason: str, lost_phone: bool) -> None:
    """Block NUMBER's chat banking until restored; ends its session and links."""
    customer_id = _customer(number)
    service = _service()
    if service.credentials.get(number) is None:
        raise click.ClickException(f"{mask_phone(number)} has not registered for chat banking")
    status = AccountStatus.LOST_PHONE if lost_phone else AccountStatus.BLOCKED
    service.credentials.set_status(number, status, reason[:100])
    service.logout(number, customer_id, everywhere=True, channel="cli")
    _audit("block", number, customer_id, reason=reason[:100])
    click.echo(f"{mask_phone(number)}: {status.value}")


@auth_cli.command("restore")
@click.argument("number")
def restore_command(number: str) -> None:
    """Restore NUMBER's chat banking after a block by staff."""
    customer_id = _customer(number)
    service = _service()
    if service.credentials.get(number) is None:
        raise click.ClickException(f"{mask_phone(number)} has not registered for chat banking")
    service.credentials.set_status(number, AccountStatus.REGISTERED)
    _audit("unblock", number, customer_id, reason="restored by staff")
    click.echo(f"{mask_phone(number)}: registered")
