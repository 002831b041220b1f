"""Sending and reading notifications; every feature calls `notify`."""
from peewee import fn

from portal.auth.models import User
from portal.db import db, utcnow
from portal.notify.mailing import mail_body, mail_enabled, queue_mail
from portal.notify.models import Notification, NotificationPreference
from portal.notify.preferences import DEFAULT
from portal.pagination import paginate


def notify(users, text: str, url: str = "", *, subject: str | None = None, always_mail: bool = False,
           detail: str = "", thread: str | None = None, reply_to: str | None = None) -> int:
    """Tell each of `users` (User objects or ids; None and repeats skipped) `text`; returns how many.

    The one place that decides how a notice travels: in the portal only, by
    e-mail at once, or (left unread for `digest.daily_digests`) in tomorrow's
    digest, by each person's preference. `always_mail` is for reminders and
    escalations, which go by e-mail whatever the preference. E-mail needs SMTP
    configured. Call inside the transaction that makes the change, so a
    rolled-back change announces nothing. `detail` is added to the e-mail only;
    `thread` (a conversation's Message-ID) and `reply_to` thread the e-mail so a
    reply from a mail client finds its way back (see `mailing.queue_mail`).
    """
    ids = list(dict.fromkeys(getattr(u, "id", u) for u in users if u is not None))
    if not ids:
        return 0
    now = utcnow()
    by_mail = _mail_addresses(ids, always_mail)
    rest = [uid for uid in ids if uid not in by_mail]
    if rest:
        Notification.insert_many([{"user": uid, "text": text[:255], "url": url[:255], "created_at": now}
                                  for uid in rest]).execute()
    if by_mail:
        body = mail_body(text, url, detail)
        for uid, email in by_mail.items():
            note = Notification.create(user=uid, text=text[:255], url=url[:255], created_at=now)
            queue_mail(note, email, subject or text, body, thread=thread, reply_to=reply_to)
    return len(ids)


def _mail_addresses(ids, always: bool) -> dict:
    """{user id: e-mail} of those among `ids` who get this notice by e-mail now, when mail is on.

    Everyone when `always`; otherwise active people whose preference is each
    notice by e-mail (the default).
    """
    if not mail_enabled():
        return {}
    if not always:
        chosen = dict(NotificationPreference.select(NotificationPreference.user, NotificationPreference.mode)
                      .where(NotificationPreference.user.in_(ids)).tuples())
        ids = [uid for uid in ids if chosen.get(uid, DEFAULT) == "immediate"]
        if not ids:
            return {}
    query = User.select(User.id, User.email).where(User.id.in_(ids))
    if not always:
        query = query.where(User.active == True)  # noqa: E712
    return dict(query.tuples())


def unread_count(user) -> int:
    """How many notifications `user` has not read yet (every open page asks, once a minute: one plain COUNT)."""
    return (Notification.select(fn.COUNT(Notification.id))
            .where((Notification.user == user.id) & Notification.read_at.is_null()).scalar())


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
