"""`portal remind`: reminder, second reminder, escalation; exactly once, even with two runs at once; mail retried."""
import datetime as dt
import socket
import threading

import pytest

from portal.db import db
from portal.notify.models import MailDelivery, Notification
from portal.remind import run_reminders
from portal.status.models import StatusReminder
from tests.factories import make_project, make_user
from tests.status_helpers import make_report

FRI = dt.date(2026, 11, 27)  # a weekly period end
AT = lambda day, hour=7: dt.datetime.combine(day, dt.time(hour))  # noqa: E731


@pytest.fixture(autouse=True)
def status_and_helpdesk_steps_only(monkeypatch):
    """These tests count every notice a person gets: leave out the steps of other features (tested on their own)."""
    import portal.remind
    monkeypatch.setattr(portal.remind, "REMINDER_STEPS", [s for s in portal.remind.REMINDER_STEPS
                                                          if s.startswith(("portal.status.", "portal.helpdesk."))])


@pytest.fixture
def people():
    manager = make_user("manager", name="Marco Manager")
    sponsor = make_user("executive", name="Sue Sponsor")
    pmo = make_user("pmo", name="Pat PMO")
    project = make_project(manager=manager, sponsor=sponsor, reporting_cadence="weekly", name="Robots")
    make_report(project, FRI - dt.timedelta(days=7))  # last week's report is in
    return manager, sponsor, pmo, project


def _texts(user):
    return [n.text for n in Notification.select().where(Notification.user == user.id).order_by(Notification.id)]


def test_reminder_then_second_then_escalation_on_schedule(app, people):
    manager, sponsor, pmo, project = people
    with app.app_context():
        assert run_reminders(AT(FRI - dt.timedelta(days=1)))[-1].endswith("0 notice(s) in all")  # not due yet
        run_reminders(AT(FRI))
        assert _texts(manager) == [f"The status report for {project.code} Robots is due (period ending 2026-11-27)."]
        run_reminders(AT(FRI, 18))  # later the same day: nothing new
        run_reminders(AT(FRI + dt.timedelta(days=1)))
        assert len(_texts(manager)) == 1
        run_reminders(AT(FRI + dt.timedelta(days=2)))
        assert _texts(manager)[-1].startswith("Reminder: the status report")
        assert _texts(sponsor) == [] and _texts(pmo) == []
        run_reminders(AT(FRI + dt.timedelta(days=5)))
        run_reminders(AT(FRI + dt.timedelta(days=6)))
    assert [t.split(":")[0] for t in _texts(sponsor)] == ["Escalation"]
    assert [t.split(":")[0] for t in _texts(pmo)] == ["Escalation"]
    assert len(_texts(manager)) == 2
    assert sorted(s for (s,) in StatusReminder.select(StatusReminder.stage).tuples()) == ["due", "escalation", "second"]


def test_a_submitted_report_stops_the_reminders(app, people):
    manager, sponsor, pmo, project = people
    with app.app_context():
        run_reminders(AT(FRI))
        make_report(project, FRI)
        run_reminders(AT(FRI + dt.timedelta(days=5)))
    assert len(_texts(manager)) == 1 and _texts(pmo) == []


def test_a_late_first_run_sends_only_the_escalation(app, people):
    manager, sponsor, pmo, project = people
    with app.app_context():
        run_reminders(AT(FRI + dt.timedelta(days=5)))
    assert _texts(manager) == [] and len(_texts(sponsor)) == 1


def test_dry_run_prints_but_sends_and_records_nothing(app, people):
    project = people[3]
    with app.app_context():
        lines = run_reminders(AT(FRI), dry_run=True)
    assert f"status: due notice for {project.code} (period ending 2026-11-27) [dry run]" in lines
    assert Notification.select().count() == 0 and StatusReminder.select().count() == 0


def test_two_runs_at_once_send_each_notice_once(app, people):
    manager, sponsor, pmo, project = people
    others = [make_project(reporting_cadence="weekly", start_date=FRI - dt.timedelta(days=3)) for _ in range(5)]
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context(), db.connection_context():
                barrier.wait(timeout=10)
                run_reminders(AT(FRI + dt.timedelta(days=5)))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert StatusReminder.select().count() == 6
    # Each escalation goes to the project's sponsor (one each) and to the one PMO person.
    assert len(_texts(pmo)) == 6
    assert len(_texts(sponsor)) == 1 and len(others) == 5


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 OK"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_survives_an_smtp_outage_and_goes_out_once(app, people):
    from aiosmtpd.controller import Controller
    manager, sponsor, pmo, project = people
    port = _free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://pmo.example.test")
    with app.app_context():
        lines = run_reminders(AT(FRI))  # the SMTP server is down
    assert "mail: 0 sent, 1 failed (retried on the next run)" in lines
    delivery = MailDelivery.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and delivery.last_error
    assert len(_texts(manager)) == 1  # the notice itself is in the portal already

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            lines = run_reminders(AT(FRI, 9))
            run_reminders(AT(FRI, 10))
    finally:
        controller.stop()
    assert "mail: 1 earlier e-mail(s) sent, 0 still failing" in lines
    assert len(inbox.messages) == 1
    rcpt, content = inbox.messages[0]
    assert rcpt == [manager.email]
    assert f"https://pmo.example.test/projects/{project.code}/status/" in content
    assert MailDelivery.get().state == "sent"


def test_without_smtp_notices_stay_in_the_portal(app, people):
    with app.app_context():
        run_reminders(AT(FRI))
    assert Notification.select().count() == 1 and MailDelivery.select().count() == 0


def test_portal_remind_command_prints_a_summary(app, people):
    from portal.cli import remind_command
    project = people[3]
    result = app.test_cli_runner().invoke(remind_command, ["--now", "2026-11-27T08:00", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"due notice for {project.code}" in result.output and "dry run: 1 notice(s) in all" in result.output
    assert Notification.select().count() == 0
    result = app.test_cli_runner().invoke(remind_command, ["--now", "2026-11-27T08:00"])
    assert "1 notice(s) in all" in result.output and Notification.select().count() == 1
