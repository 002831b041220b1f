"""`portal webhooks deliver`: send due webhook deliveries now (`portal remind` sends them too)."""
import sys

import click
from flask.cli import with_appcontext

from portal.db import db


@click.group("webhooks")
def webhooks_group():
    """Webhook deliveries."""


@webhooks_group.command("deliver")
@with_appcontext
def deliver_command():
    """Attempt every due delivery once; exit 1 when any failed (they are retried with back-off)."""
    from portal.webhooks.delivery import deliver_pending
    with db.connection_context():
        delivered, failed = deliver_pending()
    click.echo(f"webhooks: {delivered} delivered, {failed} failed")
    if failed:
        sys.exit(1)
