"""Links that set a password: "Forgot password?" and invitations.

A link carries 256 random bits; the database keeps only their SHA-256, so a copy
of the database opens no account. Using a link is one conditional UPDATE
(`used_at IS NULL AND expires_at > now`), so it works once even when two workers
receive it at the same moment. Setting a password any other way deletes the
person's unused links.

The mails go through the outbox (`portal.notify`), queued in the transaction that issues the
link, so a link and its mail exist together or not at all, and an SMTP server that is down
loses nothing: the outbox retries.
"""
import datetime
import hashlib
import secrets

from portal.audit.services import record
from portal.auth.models import AccountToken, ResetRequest, User
from portal.auth.services import check_password_rules, end_sessions, has_local_password, hash_password, normalise_email
from portal.auth.throttle import Throttled, clear_failures
from portal.db import db, utcnow
from portal.errors import InvalidInput
from portal.logs import security_event
from portal.notify.mailing import queue_mail_to
from portal.notify.models import MailDelivery

LINK_PATH = "/password/set/"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def mail_enabled(config) -> bool:
    """Password links need outgoing mail."""
    return bool(config.get("SMTP_HOST"))


def issue_link(user: User, purpose: str, lifetime: datetime.timedelta, config) -> str:
    """A new link URL for `user` (call inside a transaction); earlier unused links stop working."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    AccountToken.delete().where((AccountToken.user == user.id) & AccountToken.used_at.is_null()).execute()
    AccountToken.create(user=user.id, purpose=purpose, token_hash=_digest(token), created_at=now,
                        expires_at=now + lifetime)
    return config["BASE_URL"].rstrip("/") + LINK_PATH + token


def _directory_help(config) -> str:
    url = config.get("DIRECTORY_PASSWORD_URL", "")
    return config["DIRECTORY_PASSWORD_HELP"] + (f"\n\n{url}" if url else "")


def request_reset(email: str, address: str, config) -> MailDelivery | None:
    """Handle "Forgot password?": the mail queued in the outbox, if any. The caller's answer never depends on it.

    Refuses (429) an address that asked too often; past the per-address-per-hour
    limit for one e-mail, requests are recorded but send nothing.
    """
    email = normalise_email(email)[:254]
    hour_ago = utcnow() - datetime.timedelta(hours=1)
    with db.atomic():
        by_address = ResetRequest.select().where((ResetRequest.address == address)
                                                 & (ResetRequest.at >= hour_ago)).count()
        if by_address >= config["RESET_MAX_PER_ADDRESS"]:
            security_event("reset_throttled", f"Password reset refused for {address}: too many requests",
                           remote_addr=address, scope="address")
            raise Throttled(3600, "reset")
        by_email = ResetRequest.select().where((ResetRequest.email == email) & (ResetRequest.at >= hour_ago)).count()
        ResetRequest.create(email=email, address=address[:64])
        ResetRequest.delete().where(ResetRequest.at < hour_ago - datetime.timedelta(days=1)).execute()
        AccountToken.delete().where(AccountToken.expires_at < hour_ago - datetime.timedelta(days=30)).execute()
        if by_email >= config["RESET_MAX_PER_EMAIL"]:
            security_event("reset_throttled", f"Password reset for {email} not sent: too many requests",
                           email=email, remote_addr=address, scope="email")
            return None
        user = User.get_or_none(User.email == email)
        if user is None or not user.active:
            security_event("reset_requested", f"Password reset asked for {email}: no active account",
                           email=email, remote_addr=address, sent=False)
            return None
        if not has_local_password(user):
            record(None, "user.reset_requested", "user", user.id, "Asked for a password reset: directory account")
            security_event("reset_requested", f"Password reset asked for {email}: no local password",
                           email=email, remote_addr=address, user_id=user.id, sent=False)
            return queue_mail_to(
                user.email, "Your PMO Portal password",
                f"Hello {user.name},\n\nsomeone (probably you) asked to reset your PMO Portal password. "
                "Your account has no password of its own in the portal: you sign in with your "
                f"organisation's account.\n\n{_directory_help(config)}\n\n-- \nPMO Portal")
        minutes = config["RESET_LINK_MINUTES"]
        url = issue_link(user, "reset", datetime.timedelta(minutes=minutes), config)
        record(None, "user.reset_requested", "user", user.id, "Asked for a password reset link")
        delivery = queue_mail_to(
            user.email, "Set a new PMO Portal password",
            f"Hello {user.name},\n\nsomeone (probably you) asked to reset your PMO Portal password. "
            f"Open this link within {minutes} minutes to choose a new one; it works once:\n\n{url}\n\n"
            "If you did not ask, ignore this e-mail: your password stays as it is.\n\n-- \nPMO Portal",
            forget_body=True)
    security_event("reset_requested", f"Password reset link queued for {email}", email=email, remote_addr=address,
                   user_id=user.id, sent=True)
    return delivery


def invitation(user: User, actor, config) -> MailDelivery:
    """Queue an invitation for `user` to set their password (call inside a transaction); audited."""
    if not user.active:
        raise InvalidInput(f"{user.email} is deactivated; reactivate the account before inviting.")
    if not has_local_password(user):
        raise InvalidInput(f"{user.email} signs in through the directory and has no portal password to set.")
    days = config["INVITE_LINK_DAYS"]
    url = issue_link(user, "invite", datetime.timedelta(days=days), config)
    inviter = getattr(actor, "name", None) or "The PMO"
    record(actor, "user.invite", "user", user.id, f"Sent an invitation to {user.email}")
    security_event("invitation_sent", f"Invitation queued for {user.email}", user_id=user.id,
                   actor_id=getattr(actor, "id", None))
    return queue_mail_to(user.email, "Your PMO Portal account",
                         f"Hello {user.name},\n\n{inviter} has given you an account on the PMO Portal "
                         f"({config['BASE_URL']}), signing in as {user.email}.\n\nChoose your password with "
                         f"this link within {days} days; it works once:\n\n{url}\n\n-- \nPMO Portal",
                         forget_body=True)


def link_holder(token: str) -> User | None:
    """The active local account a still-valid link belongs to, or None (used, expired, replaced or forged)."""
    if not token or len(token) > 100:
        return None
    row = (AccountToken.select(AccountToken, User).join(User)
           .where((AccountToken.token_hash == _digest(token)) & AccountToken.used_at.is_null()
                  & (AccountToken.expires_at > utcnow()) & (User.active == True))  # noqa: E712
           .first())
    return row.user if row is not None and has_local_password(row.user) else None


def set_password_by_link(token: str, new: str, address: str) -> User:
    """Use a link once: set the password, end every session, lift any sign-in lock."""
    check_password_rules(new)
    new_hash = hash_password(new)  # before the transaction: argon2 is slow on purpose
    expired = "This link has been used, has expired or was replaced by a newer one. Ask for a new one."
    with db.atomic():
        user = link_holder(token)
        if user is None:
            raise InvalidInput(expired)
        digest = _digest(token)
        purpose = AccountToken.get(AccountToken.token_hash == digest).purpose
        taken = (AccountToken.update(used_at=utcnow())
                 .where((AccountToken.token_hash == digest) & AccountToken.used_at.is_null()
                        & (AccountToken.expires_at > utcnow())).execute())
        if taken != 1:  # another worker used it first
            raise InvalidInput(expired)
        User.update(password_hash=new_hash).where(User.id == user.id).execute()
        AccountToken.delete().where((AccountToken.user == user.id) & AccountToken.used_at.is_null()).execute()
        end_sessions(user)
        clear_failures(user.email)
        action = "user.invitation_accepted" if purpose == "invite" else "user.password_reset"
        record(user, action, "user", user.id, "Set a password through an e-mailed link")
    security_event("password_link_used", f"Password set by link for {user.email}", user_id=user.id,
                   remote_addr=address, purpose=purpose)
    return user
