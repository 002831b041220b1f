"""Accounts from a directory or an identity provider: created at the first sign-in, refreshed at each one after.

The directory (or provider) is the source of truth for name, department and role;
roles come from the groups an admin maps (`PORTAL_LDAP_ROLE_GROUPS`, `PORTAL_OIDC_ROLE_MAP`),
and people in no mapped group are members. These accounts have no local password.
"""
from dataclasses import dataclass, field

from peewee import IntegrityError

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.auth.services import AUDITED_FIELDS, end_sessions, normalise_email
from portal.config import ROLES
from portal.db import db, utcnow
from portal.errors import PortalError
from portal.logs import security_event

SOURCES = ("local", "ldap", "oidc", "proxy")
SOURCE_LABELS = {"local": "its own password", "ldap": "the directory (LDAP)", "oidc": "single sign-on (OpenID Connect)",
                 "proxy": "the intranet's sign-on proxy"}


class SignInRefused(PortalError):
    """The identity is genuine but the portal will not sign it in (403)."""

    status = 403


class SignInFailed(PortalError):
    """Single sign-on could not be completed: bad state, provider unreachable, token not verified (400)."""

    status = 400


@dataclass
class Identity:
    """Who a directory or provider says signed in, in the portal's terms."""

    source: str
    external_id: str
    email: str
    name: str = ""
    department: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)


def role_for(groups, mapping) -> str:
    """The role the mapped groups give: the first of ROLES any of them maps to; member when none does."""
    held = {str(g).strip().lower() for g in groups}
    mapped = {role for role, group in mapping if group.strip().lower() in held}
    return next((role for role in ROLES if role in mapped), "member")


def check_role_map(mapping, setting: str) -> None:
    """Refuse (at start-up) a mapping that names a role the portal does not have."""
    for role, _group in mapping:
        if role not in ROLES:
            raise ValueError(f"{setting}: unknown role {role!r}; use one of {', '.join(ROLES)}.")


def provision(identity: Identity, role: str, address: str = "", refresh: bool = True) -> User:
    """The account for `identity`, created or refreshed; refuses a deactivated or conflicting one.

    `refresh=False` (a proxy, which sends a name only) sets name, department and role at
    creation and leaves them to the admins afterwards.

    A local account with the same e-mail (not an admin's: those are the break-glass
    accounts) is taken over: it keeps its history and loses its local password.
    """
    email = normalise_email(identity.email or "")
    if "@" not in email or len(email) > 254 or not identity.external_id:
        security_event("login_failed", f"{identity.source} sign-in without a usable e-mail address",
                       source=identity.source, reason="no e-mail", remote_addr=address)
        raise SignInRefused("Your account there has no usable e-mail address, which the portal needs. "
                            "Ask your administrator to add one.")
    try:
        with db.atomic():
            user = _provision(identity, email, role, address, refresh)
    except IntegrityError:
        # Two first sign-ins of the same person at once: the other one created the account.
        with db.atomic():
            user = _provision(identity, email, role, address, refresh)
    return user


def _provision(identity: Identity, email: str, role: str, address: str, refresh: bool) -> User:
    name = (identity.name or "").strip()[:120] or email.split("@")[0]
    department = (identity.department or "").strip()[:120]
    source, external_id = identity.source, identity.external_id[:255]
    user = User.get_or_none((User.auth_source == source) & (User.external_id == external_id))
    if user is None:
        same_email = User.get_or_none(User.email == email)
        if same_email is None:
            user = User.create(email=email, name=name, department=department, role=role, password_hash="",
                               auth_source=source, external_id=external_id, last_login_at=utcnow())
            record(None, "user.create", "user", user.id, f"Created {email} as {role} at first {source} sign-in",
                   after=snapshot(user, AUDITED_FIELDS + ("auth_source",)))
            security_event("account_created", f"Account created at first {source} sign-in: {email}",
                           user_id=user.id, email=email, source=source, role=role, remote_addr=address)
            return user
        if same_email.auth_source != "local" or same_email.role == "admin":
            security_event("login_failed", f"{source} sign-in refused for {email}: the e-mail belongs to an account "
                           f"that signs in with {same_email.auth_source}", email=email, source=source,
                           reason="e-mail taken", user_id=same_email.id, remote_addr=address)
            raise SignInRefused(f"An account for {email} already exists and signs in with "
                                f"{SOURCE_LABELS.get(same_email.auth_source, same_email.auth_source)}. "
                                "Ask an admin to link it.")
        User.update(auth_source=source, external_id=external_id, password_hash="",
                    version=User.version + 1).where(User.id == same_email.id).execute()
        record(None, "user.link", "user", same_email.id, f"{email} now signs in through {source}",
               before={"auth_source": "local"}, after={"auth_source": source})
        user = User.get_by_id(same_email.id)
    if not user.active:
        security_event("login_failed", f"{source} sign-in refused for {user.email}: deactivated account",
                       email=user.email, source=source, reason="deactivated account", user_id=user.id,
                       remote_addr=address)
        raise SignInRefused("Your portal account is deactivated. Ask an admin to reactivate it.")
    if not refresh:
        User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
        return user
    return _refresh(user, identity, email, name, department, role, address)


def _refresh(user: User, identity: Identity, email: str, name: str, department: str, role: str, address: str) -> User:
    """Bring name, e-mail, department and role up to date with the directory; audit what changed."""
    before = snapshot(user, AUDITED_FIELDS)
    changes = {"name": name, "department": department, "role": role}
    if email != user.email and not User.select().where((User.email == email) & (User.id != user.id)).exists():
        changes["email"] = email
    changes = {k: v for k, v in changes.items() if getattr(user, k) != v}
    fields = {getattr(User, k): v for k, v in changes.items()}
    fields[User.last_login_at] = utcnow()
    if changes:
        fields[User.version] = User.version + 1
    User.update(fields).where(User.id == user.id).execute()
    user = User.get_by_id(user.id)
    if changes:
        after = snapshot(user, AUDITED_FIELDS)
        groups = ", ".join(identity.groups)[:120]
        why = f"role {before['role']} -> {user.role} from groups" if "role" in changes else "details"
        record(None, "user.update", "user", user.id, f"{identity.source} sign-in updated {why} of {user.email}",
               before=before, after=after)
        if "role" in changes:
            end_sessions(user)  # other browsers get the new rights at once; this sign-in starts a fresh session
            security_event("role_changed", f"{user.email}: role {before['role']} -> {user.role} from "
                           f"{identity.source} groups", user_id=user.id, old_role=before["role"], new_role=user.role,
                           source=identity.source, groups=groups, remote_addr=address)
    return user
