"""Accounts and the record of failed sign-ins."""
import peewee

from portal.config import ROLES
from portal.db import BaseModel, VersionedModel, utcnow


class User(VersionedModel):
    """A person who signs in. `session_version` ends every session when bumped."""

    email = peewee.CharField(max_length=254, unique=True)
    name = peewee.CharField(max_length=120)
    role = peewee.CharField(max_length=16, choices=[(r, r) for r in ROLES], index=True)
    department = peewee.CharField(max_length=120, default="")
    password_hash = peewee.CharField(max_length=255)
    active = peewee.BooleanField(default=True, index=True)
    session_version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    last_login_at = peewee.DateTimeField(null=True)
    # Where the account signs in: "local" (its own password), "ldap", "oidc" or "proxy" (no local
    # password), and its id there (LDAP entryUUID/objectGUID, OpenID `sub`, the proxy's user name).
    auth_source = peewee.CharField(max_length=8, default="local", index=True)
    external_id = peewee.CharField(max_length=255, null=True)
    # Who this person reports to (set by the people import); kept when the manager's account goes.
    manager = peewee.ForeignKeyField("self", null=True, backref="reports", on_delete="SET NULL")

    # flask-login protocol -------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.active

    def get_id(self) -> str:
        """The id stored in the session and remember cookie, with the session version.

        Bumping `session_version` makes every earlier cookie fail to load.
        """
        return f"{self.id}:{self.session_version}"

    def __str__(self):
        return self.name

    class Meta:
        indexes = ((("auth_source", "external_id"), True),)

    @classmethod
    def active_users(cls):
        """Users who may sign in, by name."""
        return cls.select().where(cls.active == True).order_by(cls.name)  # noqa: E712


class LoginFailure(BaseModel):
    """One failed sign-in, kept briefly to throttle guessing per account and per address."""

    email = peewee.CharField(max_length=254, index=True)
    address = peewee.CharField(max_length=64, index=True)
    at = peewee.DateTimeField(default=utcnow, index=True)
    # The nonce of the valid device cookie the attempt came with; empty for a device never signed in on.
    device = peewee.CharField(max_length=32, default="")

    class Meta:
        indexes = ((("email", "device", "at"), False),)


class AccountToken(BaseModel):
    """A single-use link to set a password (reset or invitation); only the token's SHA-256 is kept."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    purpose = peewee.CharField(max_length=16)  # reset, invite
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    used_at = peewee.DateTimeField(null=True)


class ResetRequest(BaseModel):
    """One "Forgot password?" request, kept briefly to throttle them per address and per e-mail."""

    email = peewee.CharField(max_length=254, index=True)
    address = peewee.CharField(max_length=64, index=True)
    at = peewee.DateTimeField(default=utcnow, index=True)
