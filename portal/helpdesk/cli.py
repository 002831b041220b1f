"""`portal mail fetch`: the help desk reads its mailbox (for cron, a systemd timer, or --watch)."""
import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("mail")
def mail_group():
    """The help desk by e-mail."""


@mail_group.command("fetch")
@click.option("--watch", is_flag=True, help="Keep running: wait for new mail with IMAP IDLE.")
@with_appcontext
def mail_fetch(watch):
    """Read the help-desk mailbox: new mail opens tickets, replies land on their tickets.

    Exits non-zero when the mailbox cannot be reached or a mail could not be handled
    (it stays in the mailbox for the next run). Unreadable mail is moved aside and reported.
    """
    from imap_tools.errors import MailboxLoginError

    from portal.helpdesk import mail_fetch as fetching
    from portal.notify.outbox import send_pending
    try:
        if watch:
            fetching.watch(echo=click.echo)
            return
        report = fetching.fetch()
    except fetching.MailSetupError as exc:
        raise click.ClickException(str(exc)) from exc
    except MailboxLoginError as exc:
        raise click.ClickException(f"The mailbox refused the login of {current_app.config['MAIL_IN_USER']}.") from exc
    except (OSError, ConnectionError) as exc:
        raise click.ClickException(f"Cannot reach the mailbox: {exc}") from exc
    for line in report.lines:
        click.echo(line)
    from portal.db import db
    with db.connection_context():
        send_pending()  # the notices the new tickets and replies caused go out now, not at the next remind
    click.echo(f"{len(report.lines)} mail(s) read, {report.unreadable} set aside, {report.failed} failed.")
    if report.failed:
        raise SystemExit(1)
