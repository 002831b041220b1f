"""`portal import projects|risks FILE`: the spreadsheet import from the command line, all rows or none."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.db import db


def _run(kind: str, path: str, as_email: str | None, dry_run: bool) -> None:
    from portal.auth.models import User
    from portal.errors import PortalError
    from portal.imports import services as svc
    data = Path(path).read_bytes()
    with db.connection_context():
        actor = None
        if as_email:
            actor = User.get_or_none((User.email == as_email.strip().lower()) & User.active)
            if actor is None:
                raise click.ClickException(f"No active account {as_email}.")
        try:
            plan = svc.plan_file(kind, Path(path).name, data)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
        columns = ", ".join(f"{name} <- {plan.headers[col]!r}" for name, col in plan.mapping.items()
                            if col is not None)
        click.echo(f"Columns: {columns}")
        if plan.errors:
            for number, message in plan.errors:
                click.echo(f"row {number}: {message}" if number else message, err=True)
            click.echo(f"{len(plan.errors)} problem(s); nothing was imported.", err=True)
            sys.exit(1)
        if dry_run:
            click.echo(f"Dry run: {plan.creates} would be created, {plan.updates} updated.")
            return
        created, updated = svc.RUNNERS[kind](plan, actor, Path(path).name)
    click.echo(f"Imported {Path(path).name}: {created} created, {updated} updated.")


@click.group("import")
def import_group():
    """Import projects, or risks and issues, from a CSV or Excel (.xlsx) file."""


@import_group.command("projects")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "as_email", metavar="EMAIL", help="Record the import in the audit trail under this account.")
@click.option("--dry-run", is_flag=True, help="Check every row; import nothing.")
@with_appcontext
def import_projects(file, as_email, dry_run):
    """Projects, straight to active (columns guessed from the header row); exit 1 and import nothing on any problem."""
    _run("projects", file, as_email, dry_run)


@import_group.command("risks")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "as_email", metavar="EMAIL", help="Record the import in the audit trail under this account.")
@click.option("--dry-run", is_flag=True, help="Check every row; import nothing.")
@with_appcontext
def import_risks(file, as_email, dry_run):
    """Risks and issues of existing projects (a project code column); exit 1 and import nothing on any problem."""
    _run("risks", file, as_email, dry_run)
