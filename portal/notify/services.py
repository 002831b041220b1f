"""Sending and reading notifications; every feature calls `notify`."""
from portal.db import db, utcnow
from portal.notify.models import Notification
from portal.pagination import paginate


def notify(users, text: str, url: str = "") -> int:
    """Tell each of `users` (User objects or ids; None and repeats skipped) `text`; returns how many.

    Call inside the transaction that makes the change, so a rolled-back change
    announces nothing.
    """
    ids = []
    for user in users:
        uid = getattr(user, "id", user)
        if uid is not None and uid not in ids:
            ids.append(uid)
    if not ids:
        return 0
    now = utcnow()
    by_mail = _wants_mail_now(ids)
    rest = [uid for uid in ids if uid not in by_mail]
    if rest:
        Notification.insert_many([{"user": uid, "text": text[:255], "url": url[:255], "created_at": now}
                                  for uid in rest]).execute()
    if by_mail:
        from portal.notify.outbox import mail_body, queue_mail
        body = mail_body(text, url)
        for uid, email in by_mail.items():
            note = Notification.create(user=uid, text=text[:255], url=url[:255], created_at=now)
            queue_mail(note, email, text, body)
    return len(ids)


def _wants_mail_now(ids) -> dict:
    """{user id: e-mail} of those among `ids` who get each notice by e-mail (the default), when mail is on."""
    from portal.auth.models import User
    from portal.discussion.models import NotificationPreference
    from portal.discussion.preferences import DEFAULT
    from portal.notify.outbox import mail_enabled
    if not mail_enabled():
        return {}
    chosen = dict(NotificationPreference.select(NotificationPreference.user, NotificationPreference.mode)
                  .where(NotificationPreference.user.in_(ids)).tuples())
    wanted = [uid for uid in ids if chosen.get(uid, DEFAULT) == "immediate"]
    if not wanted:
        return {}
    return dict(User.select(User.id, User.email)
                .where(User.id.in_(wanted) & (User.active == True)).tuples())  # noqa: E712


def unread_count(user) -> int:
    """How many notifications `user` has not read yet."""
    return Notification.select().where((Notification.user == user.id) & Notification.read_at.is_null()).count()


def for_user(user, page: int = 1, per_page: int = 50):
    """`user`'s notifications, newest first, one Page at a time (uncounted: the list only grows)."""
    return paginate(Notification.select().where(Notification.user == user.id)
                    .order_by(Notification.created_at.desc(), Notification.id.desc()), page, per_page, count=False)


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) notification of `user` read; others' are untouched."""
    query = Notification.update(read_at=utcnow()).where(
        (Notification.user == user.id) & Notification.read_at.is_null())
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    with db.atomic():
        return query.execute()
