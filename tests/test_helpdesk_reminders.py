"""Help-desk SLA reminders: warn within 4 business hours of a breach, escalate after it, once each."""
import datetime as dt
import threading

from portal.db import db
from portal.helpdesk.models import Ticket
from portal.helpdesk.reminders import sla_reminders
from portal.notify.models import Notification
from tests.factories import make_ticket, make_user

MONDAY_9 = dt.datetime(2026, 11, 30, 9, 0)  # urgent: first response due 13:00, resolution 17:00


def _asker():
    # Only PMO staff and admins may open urgent tickets; an admin is not among the PMO recipients.
    return make_user("admin")


def _texts(user):
    return [n.text for n in Notification.select().where(Notification.user == user.id).order_by(Notification.id)]


def test_assignee_is_warned_once_then_pmo_told_once_after_the_breach(app):
    agent, other_pmo = make_user("pmo"), make_user("pmo")
    ticket = make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9, assignee=agent.id, status="open")
    with app.app_context():
        assert sla_reminders(dt.datetime(2026, 11, 27, 16, 30)) == []  # Friday: 4.5 business hours away
        lines = sla_reminders(MONDAY_9)
        sla_reminders(MONDAY_9 + dt.timedelta(hours=2))
    assert lines == [f"helpdesk: warned about {ticket.reference} (first response due 2026-11-30 13:00)"]
    assert len(_texts(agent)) == 1 and "will breach its first response target" in _texts(agent)[0]
    assert _texts(other_pmo) == []
    with app.app_context():
        sla_reminders(MONDAY_9 + dt.timedelta(hours=4, minutes=1))
        sla_reminders(MONDAY_9 + dt.timedelta(hours=9))
    assert [t.split(" ")[0] for t in _texts(other_pmo)] == ["SLA"]
    assert len(_texts(agent)) == 2
    stored = Ticket.get_by_id(ticket.id)
    assert stored.warned_at == MONDAY_9 and stored.escalated_at == MONDAY_9 + dt.timedelta(hours=4, minutes=1)


def test_unassigned_ticket_warns_every_pmo_person(app):
    staff = [make_user("pmo"), make_user("pmo")]
    make_user("admin")
    make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9)
    with app.app_context():
        sla_reminders(MONDAY_9 + dt.timedelta(hours=1))
    assert all(len(_texts(u)) == 1 for u in staff)
    assert Notification.select().count() == 2


def test_answered_waiting_and_closed_tickets_are_left_alone(app):
    make_user("pmo")
    make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9, status="waiting")
    make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9, status="resolved")
    make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9, status="open", first_response_at=MONDAY_9,
                resolution_due=MONDAY_9 + dt.timedelta(days=10))
    with app.app_context():
        assert sla_reminders(MONDAY_9 + dt.timedelta(hours=3)) == []


def test_dry_run_claims_nothing(app):
    make_user("pmo")
    ticket = make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9)
    with app.app_context():
        assert len(sla_reminders(MONDAY_9 + dt.timedelta(hours=1), dry_run=True)) == 1
    assert Ticket.get_by_id(ticket.id).warned_at is None and Notification.select().count() == 0


def test_two_concurrent_runs_warn_and_escalate_once(app):
    pmo = make_user("pmo")
    for _ in range(4):
        make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9)
    barrier = threading.Barrier(2)
    errors = []

    def run(now):
        try:
            with app.app_context(), db.connection_context():
                barrier.wait(timeout=10)
                sla_reminders(now)
        except Exception as exc:
            errors.append(exc)

    for now in (MONDAY_9 + dt.timedelta(hours=1), MONDAY_9 + dt.timedelta(hours=5)):
        threads = [threading.Thread(target=run, args=(now,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors
    texts = _texts(pmo)
    assert sum(t.startswith("PMO-") for t in texts) == 4  # warnings
    assert sum(t.startswith("SLA breached") for t in texts) == 4


def test_after_the_first_response_the_resolution_clock_is_watched_afresh(app):
    from portal.helpdesk.services import add_reply
    from portal.helpdesk.sla import BusinessCalendar
    agent, other_pmo = make_user("pmo"), make_user("pmo")
    ticket = make_ticket(requester=_asker(), priority="urgent", now=MONDAY_9, assignee=agent.id, status="open")
    with app.app_context():
        sla_reminders(MONDAY_9 + dt.timedelta(hours=4, minutes=1))  # first response breached: escalated
        add_reply(Ticket.get_by_id(ticket.id), agent, "On it.", "late-answer", BusinessCalendar(),
                  now=MONDAY_9 + dt.timedelta(hours=5))
        sla_reminders(MONDAY_9 + dt.timedelta(hours=8, minutes=1))  # resolution (17:00) breached too
    escalations = [t for t in _texts(other_pmo) if t.startswith("SLA breached")]
    assert len(escalations) == 2
    assert "first response was due" in escalations[0] and "resolution was due" in escalations[1]
