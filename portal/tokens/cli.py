"""`portal tokens create EMAIL --name NAME [--days N]`: a token for scripts, printed once."""
import click
from flask.cli import with_appcontext

from portal.auth.models import User
from portal.db import db
from portal.errors import PortalError
from portal.tokens import services as svc


@click.group("tokens")
def tokens_group():
    """Personal access tokens for the read API."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Where the token is used, e.g. “Finance Power BI”.")
@click.option("--days", default=90, show_default=True, type=int, help=f"Lifetime in days (1–{svc.MAX_DAYS}).")
@with_appcontext
def create(email, name, days):
    """Create a token for EMAIL and print it (it is shown only this once)."""
    with db.connection_context():
        user = User.get_or_none(User.email == email.strip().lower())
        if user is None:
            raise click.ClickException(f"No account for {email}.")
        try:
            token, secret = svc.create_token(user, name, days)
        except PortalError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Token {token.prefix}… for {user.email}, valid until {token.expires_at:%Y-%m-%d %H:%M} UTC:", err=True)
    click.echo(secret)
