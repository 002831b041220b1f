"""Notification preferences: in the portal only, e-mail at once, or a daily digest."""
from portal.db import db, utcnow
from portal.errors import InvalidInput
from portal.notify.models import PREFERENCES, NotificationPreference

# E-mail each notice unless the person chose otherwise (it goes out only when SMTP is configured).
DEFAULT = "immediate"


def notification_preference(user) -> str:
    """How `user` (a User or id) wants to be told: "portal", "immediate" or "digest"."""
    uid = getattr(user, "id", user)
    mode = NotificationPreference.select(NotificationPreference.mode).where(
        NotificationPreference.user == uid).scalar()
    return mode if mode in PREFERENCES else DEFAULT


def set_notification_preference(user, mode: str) -> None:
    """Save `user`'s choice (one row per person, replaced on change); InvalidInput for an unknown mode."""
    if mode not in PREFERENCES:
        # The settings form offers only known modes; this guards other callers.
        raise InvalidInput("Choose one of the options.")
    with db.atomic():
        (NotificationPreference.insert(user=user.id, mode=mode, updated_at=utcnow())
         .on_conflict(conflict_target=[NotificationPreference.user],
                      update={NotificationPreference.mode: mode, NotificationPreference.updated_at: utcnow()})
         .execute())
