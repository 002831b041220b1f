"""Notification preferences decide what goes out by e-mail: each notice, a daily digest, or nothing."""
import datetime as dt
import socket

import pytest

from portal.db import utcnow
from portal.notify.models import MailDelivery, Notification
from portal.notify.preferences import set_notification_preference
from portal.notify.services import notify
from portal.remind import run_reminders
from tests.factories import make_user


class Inbox:
    """An SMTP handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free loopback port, configured as the portal's."""
    from aiosmtpd.controller import Controller
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://pmo.example.test")
    yield inbox
    controller.stop()


def test_each_preference_gets_what_it_chose(app, smtp):
    now = utcnow() + dt.timedelta(minutes=1)
    portal_only, immediate, digest = make_user(), make_user(), make_user()
    set_notification_preference(portal_only, "portal")
    set_notification_preference(digest, "digest")
    with app.app_context():
        notify([portal_only, immediate, digest], "Anna mentioned you on PRJ-2026-001", "/projects/PRJ-2026-001/discussion")
        notify([digest], "PMO-1001 is now resolved", "/helpdesk/1001")
        assert Notification.select().count() == 4
        run_reminders(now)
        run_reminders(now + dt.timedelta(hours=1))  # the digest is once a day
    recipients = sorted(r[0] for r, _ in smtp.messages)
    assert recipients == sorted([immediate.email, digest.email])
    immediate_mail = next(c for r, c in smtp.messages if r == [immediate.email])
    assert "https://pmo.example.test/projects/PRJ-2026-001/discussion" in immediate_mail
    digest_mail = next(c for r, c in smtp.messages if r == [digest.email])
    assert "- Anna mentioned you on PRJ-2026-001" in digest_mail and "- PMO-1001 is now resolved" in digest_mail
    assert MailDelivery.select().where(MailDelivery.state == "sent").count() == 2


def test_without_smtp_nothing_is_queued_whatever_the_preference(app):
    user = make_user()
    set_notification_preference(user, "immediate")
    with app.app_context():
        notify([user], "Something happened", "/")
    assert Notification.select().count() == 1 and MailDelivery.select().count() == 0


def test_digest_lists_each_notice_once_and_skips_ones_already_emailed(app, smtp):
    from portal.notify.outbox import notify_and_mail
    reader = make_user()
    set_notification_preference(reader, "digest")
    first_run = utcnow() + dt.timedelta(minutes=1)
    with app.app_context():
        notify([reader], "Comment on PRJ-2026-001", "/projects/PRJ-2026-001/discussion")
        notify_and_mail([reader], "Your status report is due", "/projects/PRJ-2026-001/status/")
        run_reminders(first_run)
        # Just after midnight the next day: nothing new, so no second digest repeating the first.
        run_reminders(first_run.replace(hour=0, minute=5) + dt.timedelta(days=1))
    digests = [c for r, c in smtp.messages if "daily digest" in c]
    assert len(digests) == 1
    assert "- Comment on PRJ-2026-001" in digests[0]
    assert "Your status report is due" not in digests[0]  # it had its own e-mail


def test_a_mail_to_a_plain_address_is_sent_and_does_not_empty_the_digest(app, smtp):
    from portal.db import db
    from portal.notify.mailing import queue_mail_to
    reader = make_user()
    set_notification_preference(reader, "digest")
    with app.app_context():
        notify([reader], "Comment on PRJ-2026-001", "/projects/PRJ-2026-001/discussion")
        with db.atomic():
            queue_mail_to("someone@elsewhere.example", "Re: a question", "Ask for an account.",
                          in_reply_to="<q-1@elsewhere.example>", auto_submitted="auto-replied")
        run_reminders(utcnow() + dt.timedelta(minutes=1))
    answer = next(c for r, c in smtp.messages if r == ["someone@elsewhere.example"])
    assert "Auto-Submitted: auto-replied" in answer and "In-Reply-To: <q-1@elsewhere.example>" in answer
    digests = [c for r, c in smtp.messages if "daily digest" in c]
    assert len(digests) == 1 and "- Comment on PRJ-2026-001" in digests[0]


def test_a_line_break_in_a_subject_does_not_stop_the_mail(app, smtp):
    user = make_user()
    set_notification_preference(user, "immediate")
    other = make_user()
    set_notification_preference(other, "immediate")
    with app.app_context():
        notify([user], "Need help\r\nX-Injected: 1", "/helpdesk/1001")
        notify([other], "A normal notice", "/")
        run_reminders(utcnow())
        run_reminders(utcnow())
    subjects = [c.split("Subject: ", 1)[1].split("\n", 1)[0] for _, c in smtp.messages]
    assert "Need help X-Injected: 1" in [s.strip() for s in subjects]
    headers = [c.split("\r\n\r\n", 1)[0] for _, c in smtp.messages]
    assert len(smtp.messages) == 2 and not any("\nX-Injected" in h for h in headers)


def test_by_default_each_notice_is_emailed_when_smtp_is_configured(app, smtp):
    user = make_user()
    with app.app_context():
        notify([user], "PRJ-2026-014 was approved", "/projects/PRJ-2026-014")
        run_reminders(utcnow())
    assert [r for r, _ in smtp.messages] == [[user.email]]
