"""Accounts: creating, authenticating, throttling, passwords and session revocation."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.audit.services import record, snapshot
from portal.auth.models import AccountToken, User
from portal.auth.throttle import Throttled, check_allowed, clear_failures, forgive_own_failures, record_failure
from portal.config import ROLES
from portal.db import db, utcnow
from portal.errors import Conflict, InvalidInput, Stale
from portal.logs import security_event
from portal.pagination import paginate

# argon2id with m = 19 MiB, t = 2, p = 1: the configuration OWASP's password storage cheat sheet
# lists as equivalent to argon2-cffi's default (m = 64 MiB, t = 3, p = 4), which allocated 64 MB in
# the worker for every sign-in. Hashes made with the old parameters still verify and are replaced
# with one made with these at the next sign-in (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when no account matches, so a wrong e-mail costs as long as a wrong password. A fixed
# hash with the hasher's own parameters (tests check they match): hashing one at import cost every
# worker a memory peak at start.
_DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$tZ2hWfCq/8DJGqxbVvbRJg$8kUzVSlbx5Zrc/ydSwU1E2r+00U5KXunfdMKfl7Dl+Y"
MIN_PASSWORD_LENGTH = 10
AUDITED_FIELDS = ("email", "name", "role", "department", "active")
__all__ = ["Throttled"]  # re-exported: callers catch it from here


def unknown_password_hash() -> str:
    """A real hash of a random secret nobody keeps: a local account whose owner sets a password by link."""
    return _hasher.hash(secrets.token_urlsafe(32))


def has_local_password(user: User) -> bool:
    """True for an account that signs in with a password kept here.

    Accounts from a directory or single sign-on carry an empty or unusable hash;
    they get no reset link. The one place that decides what "local" means.
    """
    return (getattr(user, "auth_source", "local") == "local" and bool(user.password_hash)
            and user.password_hash.startswith("$argon2"))


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


def create_user(email: str, name: str, role: str, password: str | None,
                department: str = "", actor=None) -> User:
    """Create an account; refuses a duplicate e-mail, an unknown role or a weak password.

    Without a password the account is local but nobody knows its password yet:
    its owner sets one through an invitation or "Forgot password?".
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if password is not None:
        check_password_rules(password)
    with db.atomic():
        if User.select().where(User.email == email).exists():
            raise InvalidInput({"email": f"An account for {email} already exists."})
        user = User.create(email=email, name=name.strip(), role=role, department=department.strip(),
                           password_hash=hash_password(password) if password is not None else unknown_password_hash())
        record(actor, "user.create", "user", user.id, f"Created {email} as {role}",
               after=snapshot(user, AUDITED_FIELDS))
    return user


def refuse_if_throttled(email: str, address: str, nonce: str, config, **fields) -> None:
    """Raise Throttled (and log it) when this device may not try a password for `email` now.

    One rule for every password sign-in, local or directory (see `portal.auth.throttle`);
    `fields` go into the security event (e.g. source="ldap").
    """
    try:
        check_allowed(email, address, nonce, config)
    except Throttled as exc:
        security_event("login_throttled", f"Sign-in refused for {email}: too many recent failures ({exc.scope})",
                       email=email, remote_addr=address, scope=exc.scope, known_device=bool(nonce), **fields)
        raise


def sign_in_failed(email: str, user: User | None, reason: str, address: str, nonce: str, config,
                   label: str = "Sign-in", **fields) -> None:
    """Count one failed password sign-in for `email`: the throttle, the audit trail and the security log."""
    with db.atomic():
        locked = record_failure(email, address, nonce, config)
        if user is not None:
            record(None, "user.login_failed", "user", user.id, f"Failed {label.lower()} for {email}: {reason}")
            if locked:
                record(None, "user.locked", "user", user.id,
                       f"Sign-in locked for {'one device' if locked == 'device' else 'unknown devices'}")
    # Logged here for good: the failure rows are deleted at the next successful sign-in.
    security_event("login_failed", f"{label} failed for {email}: {reason}", email=email,
                   remote_addr=address, reason=reason, user_id=getattr(user, "id", None),
                   known_device=bool(nonce), **fields)
    if locked:
        security_event("login_locked", f"Sign-in locked for {email} ({locked})", email=email,
                       remote_addr=address, scope=locked, user_id=getattr(user, "id", None), **fields)


def signed_in(user: User, email: str, address: str, nonce: str, how: str = "Signed in", updates: dict | None = None,
              **fields) -> None:
    """Record a successful password sign-in: forget this device's own failures, audit and log it.

    `updates` are more User columns to write in the same transaction (a rehashed password).
    """
    with db.atomic():
        forgive_own_failures(email, address, nonce)
        User.update({User.last_login_at: utcnow(), **(updates or {})}).where(User.id == user.id).execute()
        record(user, "user.login", "user", user.id, f"{how}{' on a known device' if nonce else ''}")
    security_event("login_succeeded", f"{how}: {email}", email=email, user_id=user.id, remote_addr=address,
                   known_device=bool(nonce), **fields)


def authenticate(email: str, password: str, address: str, config, devices: dict | None = None) -> User | None:
    """The active user with this e-mail and password, or None.

    `devices` is {user id: nonce} from the browser's valid device cookie. Raises
    Throttled when this device may not try now (see `portal.auth.throttle`),
    before checking the password, so guessing gains nothing.
    """
    email = normalise_email(email)
    user = User.get_or_none(User.email == email)
    nonce = (devices or {}).get(user.id, "") if user is not None else ""
    refuse_if_throttled(email, address, nonce, config)
    stored = user.password_hash if user is not None and has_local_password(user) else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and stored is not _DUMMY_HASH
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        reason = "unknown account" if user is None else ("wrong password" if not ok else "deactivated account")
        sign_in_failed(email, user, reason, address, nonce, config)
        return None
    rehash = {User.password_hash: hash_password(password)} if _hasher.check_needs_rehash(user.password_hash) else {}
    signed_in(user, email, address, nonce, updates=rehash)
    return user


def unlock(user: User, actor) -> int:
    """Lift every sign-in lock on `user` (all devices); returns how many failures were forgotten."""
    with db.atomic():
        count = clear_failures(user.email)
        record(actor, "user.unlock", "user", user.id, f"Unlocked sign-in for {user.email}")
    security_event("login_unlocked", f"Sign-in unlocked for {user.email}", user_id=user.id,
                   actor_id=getattr(actor, "id", None))
    return count


def revoke_links(user: User) -> None:
    """Invalidate every unused password link of `user` (its password just changed)."""
    AccountToken.delete().where((AccountToken.user == user.id) & AccountToken.used_at.is_null()).execute()


_SESSION_USER_SQL: dict[type, str] = {}


def _session_user_sql() -> str:
    """The SQL of the session lookup, built once per kind of database: every signed-in request
    runs it, and building it with the query builder took four times as long as running it."""
    kind = type(db.obj)
    if kind not in _SESSION_USER_SQL:
        query = User.select().where((User.id == 0) & (User.session_version == 0) & (User.active == True))  # noqa: E712
        _SESSION_USER_SQL[kind] = query.sql()[0]
    return _SESSION_USER_SQL[kind]


def load_session_user(session_id: str) -> User | None:
    """The user for a session id `"<id>:<session_version>"`, if that session is still valid."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    return next(iter(User.raw(_session_user_sql(), user_id, version, True)), None)


def end_sessions(user: User) -> None:
    """End every session of `user` (all browsers and remember-me cookies)."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    user.session_version += 1


def change_password(user: User, current: str, new: str, address: str = "unknown", nonce: str = "",
                    config=None) -> None:
    """Change the user's own password, ending their other sessions.

    With `config`, the current password is guarded like a sign-in: a wrong one counts as a
    failed sign-in of this device (`nonce`, from its device cookie) and too many are refused
    (Throttled), so a stolen session cannot be used to guess the password.
    """
    if not has_local_password(user):
        raise Conflict("Your account has no password of its own in the portal: you sign in with your "
                       "organisation's account, so change that password where your organisation says.")
    if config is not None:
        refuse_if_throttled(user.email, address, nonce, config)
    try:
        _hasher.verify(user.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        if config is not None:
            sign_in_failed(user.email, user, "wrong current password", address, nonce, config,
                           label="Password change")
        raise InvalidInput({"current": "Your current password is not correct."}) from None
    check_password_rules(new)
    with db.atomic():
        User.update(password_hash=hash_password(new)).where(User.id == user.id).execute()
        end_sessions(user)
        revoke_links(user)
        record(user, "user.password", "user", user.id, "Changed own password")


def set_password(user: User, new: str, actor) -> None:
    """Set a password for someone (admin or operator), ending their sessions and lifting any sign-in lock."""
    check_password_rules(new)
    with db.atomic():
        User.update(password_hash=hash_password(new)).where(User.id == user.id).execute()
        end_sessions(user)
        revoke_links(user)
        clear_failures(user.email)
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
