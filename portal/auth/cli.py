"""`portal users sync|import|invite|unlock`: directory leavers, provisioning and sign-in locks (for scripts and cron)."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.config import ROLES
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
def _user(email):
    from portal.auth.models import User
    from portal.auth.services import normalise_email
    user = User.get_or_none(User.email == normalise_email(email))
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and print what would change; change nothing.")
@with_appcontext
def users_import(path, dry_run):
    """Create or update accounts from a CSV file (email, name, department, role, manager): all rows or none."""
    from portal.auth.people import decode, import_people, preview
    from portal.errors import PortalError
    with open(path, "rb") as fh:
        text = decode(fh.read())
    with db.connection_context():
        result = preview(text, current_app.config)
        for problem in result.problems:
            click.echo(f"file: {problem}", err=True)
        for row in result.bad_rows:
            click.echo(f"line {row.line}: {' '.join(row.errors)}", err=True)
        if not result.ok:
            raise click.ClickException(f"Nothing was imported: {len(result.bad_rows)} row(s) and "
                                       f"{len(result.problems)} file problem(s) to correct.")
        if dry_run:
            click.echo(f"Would create {result.count('create')}, update {result.count('update')}, "
                       f"leave {result.count('unchanged')} unchanged. Nothing was changed.")
            return
        try:
            result = import_people(text, None, current_app.config)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported: {result.count('create')} created, {result.count('update')} updated, "
               f"{result.count('unchanged')} unchanged.")


@click.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Needed for a new account.")
@click.option("--name", default=None, help="Full name (defaults to the e-mail's local part).")
@click.option("--department", default="")
@with_appcontext
def users_invite(email, role, name, department):
    """E-mail a link to choose a password: to a new account (with --role) or an existing local one."""
    from portal.auth.links import invitation, mail_enabled
    from portal.auth.models import User
    from portal.auth.services import create_user, normalise_email
    from portal.errors import PortalError
    from portal.notify.models import MailDelivery
    from portal.notify.outbox import send_pending
    config = current_app.config
    if not mail_enabled(config):
        raise click.ClickException("E-mail is not configured (PORTAL_SMTP_HOST): set a password with "
                                   "`portal users create --password` instead.")
    with db.connection_context():
        try:
            with db.atomic():
                user = User.get_or_none(User.email == normalise_email(email))
                if user is None:
                    if role is None:
                        raise click.ClickException(f"No account for {email}: give --role to create one.")
                    user = create_user(email, name or email.split("@")[0], role, None, department)
                queued = invitation(user, None, config)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
        sent, _failed = send_pending(only=[queued.id])
        error = "" if sent else MailDelivery.get_by_id(queued.id).last_error
    if not sent:
        click.echo(f"The invitation for {user.email} could not be sent just now ({error or 'mail is off'}); "
                   "it stays queued and `portal remind` tries again.", err=True)
        sys.exit(1)
    click.echo(f"Invitation sent to {user.email}.")


@click.command("unlock")
@click.argument("email")
@with_appcontext
def users_unlock(email):
    """Lift the sign-in lock on an account (every device)."""
    from portal.auth.services import unlock
    with db.connection_context():
        user = _user(email)
        forgotten = unlock(user, None)
    click.echo(f"{user.email} is unlocked ({forgotten} recent failed sign-in(s) forgotten).")


COMMANDS = (users_import, users_invite, users_unlock)
