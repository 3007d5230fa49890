"""``flask --app app whatsapp sync-content``: create the content templates Teller needs.

Against Twilio when the messenger is Twilio (``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``);
with the dev outbox, local stand-ins (``bot.content.sync.sync_local``). Prints one line per
template; exits non-zero, saying why, if Twilio refuses or can't be reached.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException

from bot.content.definitions import registry
from bot.content.store import ContentStore
from bot.content.sync import sync, sync_local
from bot.messenger import TwilioMessenger
from bot.wiring import services

whatsapp_cli = AppGroup("whatsapp", help="WhatsApp content templates (buttons, lists, notices).")


@whatsapp_cli.command("sync-content")
def sync_content() -> None:
    """Create the missing or changed content templates and store their SIDs."""
    graph = services()
    store = ContentStore(graph.redis, cache_s=0)
    messenger = graph.messenger
    if not isinstance(messenger, TwilioMessenger):
        report = sync_local(store, registry())
        click.echo("MESSENGER is outbox: local templates for the simulator, nothing sent")
    else:
        try:
            report = sync(messenger.client, store, registry())
        except TwilioRestException as exc:
            raise click.ClickException(
                f"Twilio refused the request ({exc.status}, error {exc.code}); templates "
                "stored before this run are unchanged"
            ) from exc
        except TwilioException as exc:  # e.g. a list page Twilio answered with an error
            raise click.ClickException(
                "Twilio answered with an error; templates stored before this run are unchanged"
            ) from exc
        except (RequestException, OSError) as exc:
            raise click.ClickException(
                f"Twilio could not be reached ({type(exc).__name__}); templates stored before "
                "this run are unchanged"
            ) from exc
    for line in report.lines():
        click.echo(line)
    click.echo(f"{len(report.approvals)} templates stored in whatsapp:content")
