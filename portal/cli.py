"""The `portal` command: one verb for operators, built on Flask's CLI."""
import logging
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from portal.auth.cli import COMMANDS as ACCOUNT_COMMANDS
from portal.auth.cli import users_sync
from portal.config import ROLES
from portal.db import db
from portal.logs import event_log


def _create_app():
    from portal import create_app
    return create_app()


# Commands that work whatever the schema: `db` is how an operator repairs it; a backup is
# taken before an upgrade (the new release's code sees pending migrations), and a restore
# goes into an empty database and checks the set's schema itself.
SCHEMA_FREE_COMMANDS = {"db", "routes", "backup", "restore"}


class PortalGroup(FlaskGroup):
    """Flask's group, remembering the command line so the schema check can let `--help` through."""

    def parse_args(self, ctx, args):
        ctx.meta["portal.args"] = list(args)
        return super().parse_args(ctx, args)


@click.group(cls=PortalGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
@click.pass_context
def main(ctx):
    """PMO Portal: database, users, demo data, reminders, the development server."""
    args = ctx.meta.get("portal.args", [])
    if ctx.invoked_subcommand in SCHEMA_FREE_COMMANDS or ctx.resilient_parsing or "--help" in args:
        return
    _refuse_unless_schema_current(ctx.ensure_object(ScriptInfo).load_app())


def _refuse_unless_schema_current(app):
    """Exit non-zero when the database is behind this release, or ahead of it (upgraded by a newer one)."""
    from portal.db import own_connection
    from portal.schema import schema_state
    with app.app_context():
        try:
            with own_connection():
                state = schema_state()
        except Exception as exc:  # the database itself is the problem; say so plainly
            raise click.ClickException(f"Cannot read the database: {type(exc).__name__}: {exc}") from exc
    if not state.current:
        raise click.ClickException(f"Refusing to run: {state.problem()}. `portal db status` shows the migrations.")


# --- database -------------------------------------------------------------

@click.group("db")
def db_group():
    """Create, migrate and inspect the database."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Create or migrate the database (idempotent: safe to run again)."""
    from portal.db import migration_status, upgrade
    unknown = [m.name for m in migration_status() if m.path is None]
    if unknown:
        raise click.ClickException(f"The database has migrations this release does not know ({', '.join(unknown)}): "
                                   "it was upgraded by a newer release. Run that release, or go back with it "
                                   "(`portal db downgrade`) or restore a backup.")
    applied = upgrade()
    if applied:
        event_log.info("Migrations applied: %s", ", ".join(applied), extra={"event": "db_upgraded",
                                                                            "migrations": applied})
    click.echo(f"Applied {len(applied)} migration(s): {', '.join(applied)}" if applied
               else "Database is up to date.")
    seeded = current_app.extensions.get("portal.knowledge_seeded")
    if seeded:
        click.echo(f"Copied {seeded} shipped knowledge file(s) into {current_app.config['KNOWLEDGE_DIR']}.")
    _ensure_upload_folder_marker()


def _ensure_upload_folder_marker():
    """Give a new installation its upload folder id (in the database and in the folder); warn on a mismatch."""
    from portal.system import UPLOAD_FOLDER_ID, get_value
    from portal.uploads import folder_problem
    upload_dir = current_app.config["UPLOAD_DIR"]
    with db.connection_context():
        row = get_value(UPLOAD_FOLDER_ID)
    if row is None:
        _mark_upload_folder()
        return
    problem = folder_problem(upload_dir, row.value)
    if problem:
        click.echo(f"Warning: {problem}. If {upload_dir} is the shared folder (moved or restored without "
                   "its marker), run `portal db mark-upload-folder`.", err=True)


@db_group.command("mark-upload-folder")
@with_appcontext
def db_mark_upload_folder():
    """Declare PORTAL_UPLOAD_DIR the shared upload folder (after moving it or restoring it without its marker)."""
    _mark_upload_folder()


def _mark_upload_folder():
    """Write the database's upload folder id (made now if it has none) into PORTAL_UPLOAD_DIR's marker."""
    import uuid

    from portal.system import UPLOAD_FOLDER_ID, get_value, set_value
    from portal.uploads import mark_folder
    upload_dir = current_app.config["UPLOAD_DIR"]
    with db.connection_context():
        row = get_value(UPLOAD_FOLDER_ID)
        folder_id = row.value if row else uuid.uuid4().hex
        mark_folder(upload_dir, folder_id)
        if row is None:
            set_value(UPLOAD_FOLDER_ID, folder_id)
    click.echo(f"Upload folder {upload_dir} marked as this installation's shared folder.")


@db_group.command("status")
@with_appcontext
def db_status():
    """List migrations and whether each is applied; exit 1 when any is pending or unknown to this release."""
    from portal.db import migration_status
    rows = migration_status()
    for m in rows:
        state = f"applied {m.applied.strftime('%Y-%m-%d %H:%M')}" if m.applied else "pending"
        click.echo(f"{state:<24} {m.name}{'  (not in this release)' if m.path is None else ''}")
    pending = sum(1 for m in rows if not m.applied)
    unknown = sum(1 for m in rows if m.path is None)
    if unknown:
        click.echo(f"{unknown} migration(s) unknown to this release: the database was upgraded by a newer "
                   "release. This release refuses to serve it.")
    if pending:
        click.echo(f"{pending} pending.")
    if not pending and not unknown:
        click.echo("Up to date.")
    if pending or unknown:
        sys.exit(1)


@db_group.command("downgrade")
@click.option("--to", "target", required=True, metavar="NAME", help="The migration to go back to (kept applied).")
@click.option("--dry-run", is_flag=True, help="List what would be reverted; change nothing.")
@click.option("--yes", is_flag=True, help="Also run steps that drop tables or columns (their data is lost).")
@with_appcontext
def db_downgrade(target, dry_run, yes):
    """Revert the migrations applied after NAME, the most recently applied first. Back up first."""
    from portal.schema import SchemaError, downgrade_plan, revert
    with db.connection_context():
        try:
            plan = downgrade_plan(target)
        except SchemaError as exc:
            raise click.ClickException(str(exc)) from exc
        if not plan:
            click.echo(f"Nothing to revert: {target} is the last migration applied.")
            return
        for step in plan:
            click.echo(f"{'revert':<8} {step.name}{'  (drops a table or column: its data is lost)' if step.destructive else ''}")
        if dry_run:
            click.echo(f"Dry run: {len(plan)} migration(s) would be reverted; nothing was changed.")
            return
        destructive = [s.name for s in plan if s.destructive]
        if destructive and not yes:
            raise click.ClickException(f"Refusing: {', '.join(destructive)} drop(s) tables or columns and their data. "
                                       "Take a backup, then run again with --yes.")
        try:
            done = revert(plan)
        except SchemaError as exc:
            raise click.ClickException(str(exc)) from exc
        event_log.warning("Migrations reverted: %s", ", ".join(done), extra={"event": "db_downgraded",
                                                                             "migrations": done})
    click.echo(f"Reverted {len(done)} migration(s): {', '.join(done)}.")


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
    from portal.auth.services import create_user
    from portal.errors import PortalError
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with db.connection_context():
        try:
            user = create_user(email, name or email.split("@")[0], role, password, department)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
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
    from portal.auth.services import update_user
    from portal.errors import PortalError
    with db.connection_context():
        user = _find_user(email)
        try:
            update_user(user, None, user.version, role=role)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.email} is now {role}.")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email):
    """Deactivate an account (ends its sessions; history is kept)."""
    from portal.auth.services import update_user
    from portal.errors import PortalError
    with db.connection_context():
        user = _find_user(email)
        try:
            update_user(user, None, user.version, active=False)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.email} is deactivated.")


@users_group.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="Prompted for when omitted.")
@with_appcontext
def users_set_password(email, password):
    """Set an account's password (ends its sessions)."""
    from portal.auth.services import set_password
    from portal.errors import PortalError
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with db.connection_context():
        user = _find_user(email)
        try:
            set_password(user, password, None)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Password set for {user.email}.")


# --- demo data and backups ----------------------------------------------------

@click.command("demo")
@click.option("--scale", type=click.Choice(["small", "large"]), default="small",
              help="small: a hand-made demo; large: the benchmark data set.")
@click.option("--force", is_flag=True, help="Load the demo even though the database has real accounts.")
@with_appcontext
def demo_command(scale, force):
    """Fill the database with demo data (idempotent for the small demo); refuses a database in real use."""
    from portal.demo import load_demo, real_accounts
    with db.connection_context():
        real = real_accounts()
        if real and not force:
            raise click.ClickException(f"This database has {real} real account(s): demo projects, tickets and "
                                       "people would mix with real ones. Use a separate database, or --force.")
        summary = load_demo(scale)
    click.echo(summary)


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(folder):
    """Write one dated backup set (database, uploads, knowledge folder, manifest) into FOLDER."""
    from portal.backup import BackupError, Instance, create_backup
    try:
        written = create_backup(folder, Instance.from_config(current_app.config))
    except (BackupError, OSError) as exc:
        raise click.ClickException(f"Backup failed: {exc}") from exc
    click.echo(f"Backup written to {written}.")


@click.command("restore")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that holds data and add to an upload folder with files.")
@with_appcontext
def restore_command(folder, force):
    """Restore a backup set from FOLDER into this (empty) instance, after verifying its checksums."""
    from portal.backup import BackupError, Instance, restore_backup
    try:
        report = restore_backup(folder, Instance.from_config(current_app.config), force=force)
    except (BackupError, OSError) as exc:
        raise click.ClickException(f"Restore failed: {exc}") from exc
    for line in report:
        click.echo(line)
    # The set's files went into this instance's upload folder: it is now the shared folder of
    # the restored database (a backup carries no marker: the marker names a place, not data).
    # A restored database from an older release may lack the id's table; `db upgrade` marks it then.
    try:
        _mark_upload_folder()
    except Exception as exc:  # noqa: BLE001 - the restore itself succeeded; say what is left to do
        click.echo(f"Run `portal db upgrade`, then `portal db mark-upload-folder` ({type(exc).__name__}).")


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


# --- stored Markdown ------------------------------------------------------------

@click.group("markdown")
def markdown_group():
    """The HTML stored with comments, tickets, replies and status reports."""


@markdown_group.command("rerender")
@with_appcontext
def markdown_rerender():
    """Render and store again every text saved by an older renderer (run after an upgrade)."""
    from portal.rendered import markdown_models, rerender
    with db.connection_context():
        count = rerender(markdown_models())
    click.echo(f"Rendered {count} record(s) again.")


main.add_command(db_group)
main.add_command(users_group)
users_group.add_command(users_sync)
for _command in ACCOUNT_COMMANDS:  # users import, invite, unlock
    users_group.add_command(_command)
main.add_command(demo_command)
main.add_command(backup_command)
main.add_command(restore_command)
main.add_command(kb_group)
main.add_command(markdown_group)


class LazyGroup(click.Group):
    """A group whose commands live in a feature (`module:group`), imported only when the group is used:
    importing a feature while this module loads would tie the command line to the features' import order."""

    def __init__(self, name, target, help):
        super().__init__(name, help=help)
        self.target = target

    def _group(self):
        import importlib
        # The app factory imports the features in an order that works; so load the app first.
        click.get_current_context().ensure_object(ScriptInfo).load_app()
        module, attr = self.target.split(":")
        return getattr(importlib.import_module(module), attr)

    def list_commands(self, ctx):
        return self._group().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._group().get_command(ctx, name)


main.add_command(LazyGroup("tokens", "portal.tokens.cli:tokens_group", "Personal access tokens for the read API."))



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
        raise click.ClickException("The rules were not loaded:\n  " + "\n  ".join(exc.messages)) from exc
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

    from portal.remind import failing_mail, record_success, run_reminders
    now = datetime.datetime.fromisoformat(now_text) if now_text else None
    with db.connection_context():
        for line in run_reminders(now, dry_run):
            click.echo(line)
        if dry_run:
            return
        failing = failing_mail()
        event_log.log(logging.WARNING if failing else logging.INFO, "Reminder run finished, %d e-mail(s) unsent",
                      failing, extra={"event": "remind_finished", "unsent_mail": failing})
        if failing:
            # Cron mails or alerts on a non-zero exit: undelivered reminders must not go unnoticed.
            click.echo(f"{failing} e-mail(s) could not be sent; they are retried on the next run.", err=True)
            sys.exit(1)
        record_success()


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


from portal.webhooks.cli import webhooks_group  # noqa: E402

main.add_command(webhooks_group)

from portal.imports.cli import import_group  # noqa: E402

main.add_command(import_group)
from portal.helpdesk.cli import mail_group  # noqa: E402

main.add_command(mail_group)
