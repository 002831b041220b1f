"""Creating, listing, revoking and checking API tokens; the per-token rate limit; calendar feed secrets.

A token is `pmo_` and 43 URL-safe characters (256 random bits). Only its SHA-256 is stored:
a fast hash is right for a secret that cannot be guessed, and it lets a request find its
token with one indexed look-up. The secret is shown once, when it is made.
"""
import datetime
import hashlib
import secrets

from peewee import JOIN

from portal.audit.services import record
from portal.auth.models import User
from portal.db import db, utcnow
from portal.errors import InvalidInput, NotFound
from portal.logs import security_event
from portal.pagination import paginate
from portal.tokens.models import ApiCallWindow, ApiToken, CalendarFeed

TOKEN_PREFIX = "pmo_"
PREFIX_SHOWN = 12  # "pmo_" and 8 characters: enough to recognise a token, far too few to use it
DAY_CHOICES = (7, 30, 90, 180, 365)
MAX_DAYS = 365
NAME_MAX = 80
# Last use is written at most once a minute per token, not on every call.
TOUCH_EVERY = datetime.timedelta(seconds=60)


def hash_secret(secret: str) -> str:
    """The stored form of a token or feed secret."""
    return hashlib.sha256(secret.encode("utf8")).hexdigest()


def clean_token_fields(name: str, days) -> tuple[str, int]:
    """A token's name (1–80 characters) and lifetime in days (1–365), or InvalidInput naming the field."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the token a name that says where it is used, such as “Finance Power BI”."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Use at most {NAME_MAX} characters."
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Choose a lifetime from 1 to {MAX_DAYS} days."
    if errors:
        raise InvalidInput(errors)
    return name, days


def create_token(user: User, name: str, days, actor=None, now=None) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the row and the secret (shown once, never stored)."""
    if not user.active:
        raise InvalidInput(f"{user.email} is deactivated: a token would not work.")
    name, days = clean_token_fields(name, days)
    now = now or utcnow()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.atomic():
        token = ApiToken.create(user=user.id, name=name, prefix=secret[:PREFIX_SHOWN], secret_hash=hash_secret(secret),
                                created_at=now, expires_at=now + datetime.timedelta(days=days))
        record(actor or user, "token.create", "api_token", token.id,
               f"Created API token “{name}” ({token.prefix}…) for {user.email}, valid {days} days")
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """`user`'s tokens, newest first (revoked and expired ones too, so the page can say so)."""
    return list(ApiToken.select().where(ApiToken.user == user.id).order_by(ApiToken.created_at.desc(),
                                                                          ApiToken.id.desc()))


def all_tokens(page: int, live_only: bool = False, now=None):
    """One page of everyone's tokens with their owners, newest first (for admins)."""
    now = now or utcnow()
    query = ApiToken.select(ApiToken, User).join(User, on=(ApiToken.user == User.id))
    if live_only:
        query = query.where(ApiToken.revoked_at.is_null() & (ApiToken.expires_at > now))
    return paginate(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()), page)


def load_token(token_id: int, user: User, any_owner: bool = False) -> ApiToken:
    """The token if it is `user`'s (or anyone's, for an admin with `any_owner`); NotFound otherwise."""
    query = ApiToken.select(ApiToken, User).join(User, on=(ApiToken.user == User.id)).where(ApiToken.id == token_id)
    if not any_owner:
        query = query.where(ApiToken.user == user.id)
    token = query.first()
    if token is None:
        raise NotFound("There is no such token.")
    return token


def revoke_token(token: ApiToken, actor: User, now=None) -> bool:
    """Revoke `token` at once; False when it was revoked already (nothing changes)."""
    now = now or utcnow()
    with db.atomic():
        changed = (ApiToken.update(revoked_at=now, revoked_by=actor.id)
                   .where((ApiToken.id == token.id) & ApiToken.revoked_at.is_null()).execute())
        if changed:
            owner = User.get_by_id(token.user_id)
            record(actor, "token.revoke", "api_token", token.id,
                   f"Revoked API token “{token.name}” ({token.prefix}…) of {owner.email}")
    return bool(changed)


def token_user(secret: str, now=None) -> tuple[ApiToken, User] | None:
    """The live token for `secret` and its active owner, or None (unknown, revoked, expired, deactivated)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    row = (ApiToken.select(ApiToken, User).join(User, on=(ApiToken.user == User.id))
           .where((ApiToken.secret_hash == hash_secret(secret)) & ApiToken.revoked_at.is_null()
                  & (ApiToken.expires_at > now) & (User.active == True))  # noqa: E712
           .first())
    return (row, row.user) if row else None


def touch(token: ApiToken, address: str, now=None) -> None:
    """Note the token's last use and address, at most once a minute (the WHERE makes it once across workers)."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    with db.atomic():
        (ApiToken.update(last_used_at=now, last_used_address=(address or "")[:64])
         .where((ApiToken.id == token.id) & (ApiToken.last_used_at.is_null()
                                              | (ApiToken.last_used_at <= now - TOUCH_EVERY))).execute())


def count_call(token: ApiToken, limit: int, now=None) -> int | None:
    """Count one call in this minute's window; None when allowed, else the seconds until the next window.

    One row per token and minute, incremented with an upsert, so every worker (and every host
    on the same database) counts against the same limit.
    """
    now = now or utcnow()
    window = now.replace(second=0, microsecond=0)
    with db.atomic():
        (ApiCallWindow.insert(token=token.id, window_start=window, calls=1)
         .on_conflict(conflict_target=[ApiCallWindow.token, ApiCallWindow.window_start],
                      update={ApiCallWindow.calls: ApiCallWindow.calls + 1}).execute())
        calls = (ApiCallWindow.select(ApiCallWindow.calls)
                 .where((ApiCallWindow.token == token.id) & (ApiCallWindow.window_start == window)).scalar())
        if calls == 1:  # a new window: forget the old ones
            ApiCallWindow.delete().where((ApiCallWindow.token == token.id)
                                         & (ApiCallWindow.window_start < window)).execute()
    if calls > limit:
        return max(1, 60 - now.second)
    return None


def refused(reason: str, address: str) -> None:
    """Log a refused API call: why and from where, never the token."""
    security_event("api_token_refused", f"API call refused: {reason}", reason=reason, remote_addr=address)


# --- calendar feeds ----------------------------------------------------------

def has_feed(user: User) -> bool:
    return CalendarFeed.select().where(CalendarFeed.user == user.id).exists()


def new_feed_secret(user: User, actor=None) -> str:
    """Give `user` a new calendar feed secret (the old address stops working); returns it, shown once."""
    secret = secrets.token_urlsafe(32)
    with db.atomic():
        CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()
        CalendarFeed.create(user=user.id, secret_hash=hash_secret(secret))
        record(actor or user, "calendar.regenerate", "user", user.id, f"New calendar feed address for {user.email}")
    return secret


def stop_feed(user: User, actor=None) -> bool:
    """Switch `user`'s calendar feed off; False when there was none."""
    with db.atomic():
        gone = CalendarFeed.delete().where(CalendarFeed.user == user.id).execute()
        if gone:
            record(actor or user, "calendar.stop", "user", user.id, f"Calendar feed switched off for {user.email}")
    return bool(gone)


def feed_user(secret: str) -> User | None:
    """The active person whose feed secret this is, or None."""
    if not secret or len(secret) > 100:
        return None
    feed = (CalendarFeed.select(CalendarFeed, User).join(User, JOIN.INNER, on=(CalendarFeed.user == User.id))
            .where((CalendarFeed.secret_hash == hash_secret(secret)) & (User.active == True)).first())  # noqa: E712
    if feed is None:
        return None
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at >= TOUCH_EVERY:
        with db.atomic():
            CalendarFeed.update(last_used_at=now).where(CalendarFeed.id == feed.id).execute()
    return feed.user


def feed_last_used(user: User):
    """When `user`'s feed was last read, or None."""
    return CalendarFeed.select(CalendarFeed.last_used_at).where(CalendarFeed.user == user.id).scalar()
