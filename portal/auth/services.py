"""Accounts: creating, authenticating, throttling, passwords and session revocation."""
import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.audit.services import record, snapshot
from portal.auth.models import LoginFailure, User
from portal.config import ROLES
from portal.db import db, utcnow
from portal.errors import Conflict, InvalidInput, PortalError, Stale
from portal.logs import security_event
from portal.pagination import paginate

_hasher = PasswordHasher()
# Verified when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 10
AUDITED_FIELDS = ("email", "name", "role", "department", "active")


class Throttled(PortalError):
    """Too many failed sign-ins for this account or address (429)."""

    status = 429

    def __init__(self):
        super().__init__("Too many failed attempts. Wait 15 minutes and try again, "
                         "or ask an admin to reset your password.")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    """Raise InvalidInput (on `password`) when `password` is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput({"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    if len(password) > 1024:
        raise InvalidInput({"password": "Use at most 1,024 characters."})


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, name: str, role: str, password: str,
                department: str = "", actor=None) -> User:
    """Create an account; refuses a duplicate e-mail, an unknown role or a weak password."""
    email = normalise_email(email)
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    check_password_rules(password)
    with db.atomic():
        if User.select().where(User.email == email).exists():
            raise InvalidInput({"email": f"An account for {email} already exists."})
        user = User.create(email=email, name=name.strip(), role=role,
                           department=department.strip(), password_hash=hash_password(password))
        record(actor, "user.create", "user", user.id, f"Created {email} as {role}",
               after=snapshot(user, AUDITED_FIELDS))
    return user


def _recent_failures(field, value, window: datetime.timedelta) -> int:
    since = utcnow() - window
    return LoginFailure.select().where((field == value) & (LoginFailure.at >= since)).count()


def authenticate(email: str, password: str, address: str, config) -> User | None:
    """The active user with this e-mail and password, or None.

    Raises Throttled after too many recent failures for the account or the
    address, before checking the password, so guessing gains nothing.
    """
    email = normalise_email(email)
    window = datetime.timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    if (_recent_failures(LoginFailure.email, email, window) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
            or _recent_failures(LoginFailure.address, address, window) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        security_event("login_throttled", f"Sign-in refused for {email}: too many recent failures",
                       email=email, remote_addr=address)
        raise Throttled()
    user = User.get_or_none(User.email == email)
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        with db.atomic():
            LoginFailure.create(email=email, address=address)
        # Logged here for good: the failure rows are deleted at the next successful sign-in.
        reason = "unknown account" if user is None else ("wrong password" if not ok else "deactivated account")
        security_event("login_failed", f"Sign-in failed for {email}: {reason}", email=email,
                       remote_addr=address, reason=reason, user_id=getattr(user, "id", None))
        return None
    with db.atomic():
        LoginFailure.delete().where(LoginFailure.email == email).execute()
        fields = {User.last_login_at: utcnow()}
        if _hasher.check_needs_rehash(user.password_hash):
            fields[User.password_hash] = hash_password(password)
        User.update(fields).where(User.id == user.id).execute()
    security_event("login_succeeded", f"Signed in: {email}", email=email, user_id=user.id, remote_addr=address)
    return user


def load_session_user(session_id: str) -> User | None:
    """The user for a session id `"<id>:<session_version>"`, if that session is still valid."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    return User.get_or_none((User.id == user_id) & (User.session_version == version)
                            & (User.active == True))  # noqa: E712


def end_sessions(user: User) -> None:
    """End every session of `user` (all browsers and remember-me cookies)."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    user.session_version += 1


def change_password(user: User, current: str, new: str) -> None:
    """Change the user's own password, ending their other sessions."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise InvalidInput({"current": "Your current password is not correct."}) from None
    check_password_rules(new)
    with db.atomic():
        User.update(password_hash=hash_password(new)).where(User.id == user.id).execute()
        end_sessions(user)
        record(user, "user.password", "user", user.id, "Changed own password")


def set_password(user: User, new: str, actor) -> None:
    """Set a password for someone (admin or operator), ending their sessions."""
    check_password_rules(new)
    with db.atomic():
        User.update(password_hash=hash_password(new)).where(User.id == user.id).execute()
        end_sessions(user)
        record(actor, "user.password", "user", user.id, f"Reset password of {user.email}")


def update_user(user: User, actor, expected_version: int, **changes) -> User:
    """Change role, name, department or active flag; stale versions are refused.

    Deactivating or changing the role ends the user's sessions, so the new
    rights apply at once. An admin cannot demote or deactivate the last admin.
    """
    allowed = {"name", "role", "department", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.")
    if "role" in changes and changes["role"] not in ROLES:
        raise InvalidInput(f"Unknown role {changes['role']!r}; choose one of {', '.join(ROLES)}.")
    with db.atomic():
        fresh = User.get_by_id(user.id)
        before = snapshot(fresh, AUDITED_FIELDS)
        losing_admin = fresh.role == "admin" and fresh.active and (
            changes.get("role", "admin") != "admin" or changes.get("active", True) is False)
        if losing_admin:
            admins = User.select().where((User.role == "admin") & (User.active == True)).count()  # noqa: E712
            if admins <= 1:
                raise Conflict("This is the last active admin; make someone else admin first.")
        if not fresh.save_if_current(expected_version, **changes):
            raise Stale("Someone else changed this account since you opened it; "
                        "reload to see their change.", current=fresh)
        fresh = User.get_by_id(user.id)
        if fresh.role != before["role"] or fresh.active != before["active"]:
            end_sessions(fresh)
            security_event("role_changed" if fresh.role != before["role"] else "account_active_changed",
                           f"{fresh.email}: role {before['role']} -> {fresh.role}, active {before['active']} -> "
                           f"{fresh.active}", user_id=fresh.id, actor_id=getattr(actor, "id", None),
                           old_role=before["role"], new_role=fresh.role, active=fresh.active)
        record(actor, "user.update", "user", fresh.id, f"Updated {fresh.email}",
               before=before, after=snapshot(fresh, AUDITED_FIELDS))
    return fresh


def search_users(text: str = "", role: str = "", active: str = "", page: int = 1, per_page: int = 50):
    """Users matching a filter, by name, one Page at a time."""
    query = User.select()
    if text:
        like = f"%{text.strip()}%"
        query = query.where(User.name ** like | User.email ** like | User.department ** like)
    if role in ROLES:
        query = query.where(User.role == role)
    if active in ("yes", "no"):
        query = query.where(User.active == (active == "yes"))
    return paginate(query.order_by(User.name, User.id), page, per_page)
