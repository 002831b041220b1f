"""The `portal` command: one verb for operators, built on Flask's CLI."""
import getpass
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from portal.config import ROLES
from portal.db import db


def _create_app():
    from portal import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def main():
    """PMO Portal: database, users, demo data, reminders, the development server."""


# --- database -------------------------------------------------------------

@click.group("db")
def db_group():
    """Create, migrate and inspect the database."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Create or migrate the database (idempotent: safe to run again)."""
    from portal.db import upgrade
    applied = upgrade()
    click.echo(f"Applied {len(applied)} migration(s): {', '.join(applied)}" if applied
               else "Database is up to date.")


@db_group.command("status")
@with_appcontext
def db_status():
    """List migrations and whether each is applied."""
    from portal.db import migration_status
    rows = migration_status()
    for m in rows:
        click.echo(f"{'applied ' + m.applied.strftime('%Y-%m-%d %H:%M') if m.applied else 'pending':<24} {m.name}")
    pending = sum(1 for m in rows if not m.applied)
    click.echo(f"{pending} pending." if pending else "Up to date.")
    if pending:
        sys.exit(1)


# --- users ----------------------------------------------------------------

@click.group("users")
def users_group():
    """Create and manage accounts."""


def _find_user(email):
    from portal.auth.models import User
    from portal.auth.services import normalise_email
    user = User.get_or_none(User.email == normalise_email(email))
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default=None, help="Full name (defaults to the e-mail's local part).")
@click.option("--department", default="")
@click.option("--password", default=None, help="Prompted for when omitted.")
@with_appcontext
def users_create(email, role, name, department, password):
    """Create an account."""
    from portal.auth.services import AccountError, create_user
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with db.connection_context():
        try:
            user = create_user(email, name or email.split("@")[0], role, password, department)
        except AccountError as exc:
            raise click.ClickException(str(exc))
    click.echo(f"Created {user.email} ({user.role}).")


@users_group.command("list")
@with_appcontext
def users_list():
    """List every account."""
    from portal.auth.models import User
    with db.connection_context():
        for u in User.select().order_by(User.email):
            click.echo(f"{u.email:<40} {u.role:<10} {'active' if u.active else 'deactivated':<12} {u.name}")


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def users_set_role(email, role):
    """Change an account's role (ends its sessions)."""
    from portal.auth.services import AccountError, update_user
    with db.connection_context():
        user = _find_user(email)
        try:
            update_user(user, None, user.version, role=role)
        except AccountError as exc:
            raise click.ClickException(str(exc))
    click.echo(f"{user.email} is now {role}.")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email):
    """Deactivate an account (ends its sessions; history is kept)."""
    from portal.auth.services import AccountError, update_user
    with db.connection_context():
        user = _find_user(email)
        try:
            update_user(user, None, user.version, active=False)
        except AccountError as exc:
            raise click.ClickException(str(exc))
    click.echo(f"{user.email} is deactivated.")


@users_group.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="Prompted for when omitted.")
@with_appcontext
def users_set_password(email, password):
    """Set an account's password (ends its sessions)."""
    from portal.auth.services import AccountError, set_password
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with db.connection_context():
        user = _find_user(email)
        try:
            set_password(user, password, None)
        except AccountError as exc:
            raise click.ClickException(str(exc))
    click.echo(f"Password set for {user.email}.")


# --- demo data and backups ----------------------------------------------------

@click.command("demo")
@click.option("--scale", type=click.Choice(["small", "large"]), default="small",
              help="small: a hand-made demo; large: the benchmark data set.")
@with_appcontext
def demo_command(scale):
    """Fill the database with demo data (idempotent for the small demo)."""
    from portal.demo import load_demo
    with db.connection_context():
        summary = load_demo(scale)
    click.echo(summary)


@click.command("backup")
@click.argument("path")
@with_appcontext
def backup_command(path):
    """Write a consistent copy of a SQLite database to PATH (pg_dump for PostgreSQL)."""
    from portal.db import backup_to
    try:
        backup_to(path)
    except ValueError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Backup written to {path}.")


# --- knowledge base -------------------------------------------------------------

@click.group("kb")
def kb_group():
    """Check and index the knowledge folder."""


@kb_group.command("check")
@with_appcontext
def kb_check():
    """Report front matter warnings and broken links; exit 1 on broken links."""
    from portal.kb.check import check_folder
    problems = check_folder()
    for line in problems:
        click.echo(line)
    broken = [p for p in problems if ": broken link" in p]
    click.echo(f"{len(problems)} problem(s), {len(broken)} broken link(s).")
    if broken:
        sys.exit(1)


@kb_group.command("reindex")
@with_appcontext
def kb_reindex():
    """Read every file into the database and rebuild the search index."""
    from portal.kb.services import reindex_all
    with db.connection_context():
        count = reindex_all()
    click.echo(f"Indexed {count} article(s).")


main.add_command(db_group)
main.add_command(users_group)
main.add_command(demo_command)
main.add_command(backup_command)
main.add_command(kb_group)



# --- governance rules -----------------------------------------------------------

@click.group("rules")
def rules_group():
    """Show and load the PMO's governance rules."""


@rules_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--comment", default="", help="What changed (kept in the rules history).")
@with_appcontext
def rules_load(path, comment):
    """Validate the TOML rules in PATH and put them in force (the previous ones stay as history)."""
    from portal.projects.rules import RulesError, parse_toml, save_rules
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        rules = parse_toml(text)
        with db.connection_context():
            save_rules(rules, None, comment or f"Loaded from {path}")
    except RulesError as exc:
        raise click.ClickException("The rules were not loaded:\n  " + "\n  ".join(exc.messages))
    click.echo(f"Loaded rules: {len(rules['categories'])} categories, {len(rules['approval_bands'])} budget band(s).")


@rules_group.command("show")
@with_appcontext
def rules_show():
    """Print the rules in force as TOML (the format `rules load` reads)."""
    from portal.projects.rules import current_rules, dump_toml
    with db.connection_context():
        click.echo(dump_toml(current_rules()), nl=False)


main.add_command(rules_group)


# --- reminders ------------------------------------------------------------------

@click.command("remind")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--now", "now_text", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Run as if it were this UTC time (for testing a schedule).")
@with_appcontext
def remind_command(dry_run, now_text):
    """Send due reminders and escalations (status reports, help-desk SLAs); retry unsent mail. For cron."""
    import datetime

    from portal.remind import run_reminders
    now = datetime.datetime.fromisoformat(now_text) if now_text else None
    with db.connection_context():
        for line in run_reminders(now, dry_run):
            click.echo(line)


main.add_command(remind_command)


# --- uploaded files -------------------------------------------------------------

@click.group("uploads")
def uploads_group():
    """Check the upload folder against the database."""


def _recorded_uploads() -> dict[str, str]:
    """{stored name: what records it} for every feature that stores uploaded files."""
    from portal.documents.models import DocumentVersion
    from portal.helpdesk.models import Attachment
    recorded = {}
    for name, doc, number, filename in DocumentVersion.select(
            DocumentVersion.stored_name, DocumentVersion.document, DocumentVersion.number,
            DocumentVersion.filename).tuples().iterator():
        recorded[name] = f"document {doc} version {number} ({filename})"
    for name, attachment, ticket, filename in Attachment.select(
            Attachment.stored_name, Attachment.id, Attachment.ticket, Attachment.filename).tuples().iterator():
        recorded[name] = f"help-desk attachment {attachment} on ticket id {ticket} ({filename})"
    return recorded


@uploads_group.command("check")
@click.option("--delete", is_flag=True, help="Remove orphaned files and unfinished uploads (never a record).")
@with_appcontext
def uploads_check(delete):
    """List files no record names, unfinished uploads and records whose file is missing; exit 1 if any. For cron."""
    from flask import current_app

    from portal.uploads import check_store, remove_strays
    upload_dir = current_app.config["UPLOAD_DIR"]
    with db.connection_context():
        recorded = _recorded_uploads()
    report = check_store(upload_dir, recorded)
    for path in report.orphans:
        click.echo(f"orphan      {path.name} ({path.stat().st_size} bytes): no record names this file")
    for path in report.unfinished:
        click.echo(f"unfinished  {path.name} ({path.stat().st_size} bytes): an upload that never completed")
    for line in report.missing:
        click.echo(f"missing     {line}")
    click.echo(f"{upload_dir}: {report.files} file(s), {len(recorded)} record(s); {len(report.orphans)} orphan(s), "
               f"{len(report.unfinished)} unfinished, {len(report.missing)} record(s) without a file.")
    if delete and (report.orphans or report.unfinished):
        click.echo(f"Removed {remove_strays(report)} file(s).")
    if report.problems:
        sys.exit(1)


main.add_command(uploads_group)
