"""`portal users sync`: the directory's leavers lose their portal access (for cron)."""
import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import db


@click.command("sync")
@click.option("--dry-run", is_flag=True, help="Report what would change without changing anything.")
@with_appcontext
def users_sync(dry_run):
    """Deactivate directory accounts of people who left the directory or are disabled there.

    Their sessions end at once. Safe to run from cron: a second run changes nothing.
    Exits non-zero when the directory cannot be read.
    """
    from portal.auth import directory
    from portal.auth.sync import sync_directory
    from portal.errors import PortalError
    if not directory.enabled(current_app.config):
        raise click.ClickException("No directory is configured (PORTAL_LDAP_URL); nothing to sync.")
    with db.connection_context():
        try:
            report = sync_directory(current_app.config, dry_run=dry_run)
        except PortalError as exc:
            raise click.ClickException(f"{exc} ({getattr(exc, 'detail', '')})".replace(" ()", "")) from exc
    for line in report.lines():
        click.echo(line)
