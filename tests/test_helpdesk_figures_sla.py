"""SLA figures that count what is late now, the queue's "due soonest" order, and overdue that looks overdue."""
import datetime as dt
import re

from portal.db import utcnow
from portal.helpdesk.models import Ticket
from portal.helpdesk.queue import queue
from portal.helpdesk.sla import BusinessCalendar, sla_clock
from tests.factories import make_ticket, make_user

HOUR = dt.timedelta(hours=1)


def _resolved_on_time(asker, now):
    return make_ticket(asker, status="resolved", created_at=now - 30 * HOUR, resolved_at=now - 20 * HOUR,
                       resolution_due=now - 10 * HOUR, first_response_at=now - 29 * HOUR)


def _figures_data(now):
    """Three tickets resolved on time; two running tickets past their deadline (one never answered);
    one waiting ticket past its old deadline (paused: not late); one running ticket not yet due."""
    asker = make_user("member")
    for _ in range(3):
        _resolved_on_time(asker, now)
    make_ticket(asker, subject="Never answered", status="new", first_response_due=now - 5 * HOUR,
                resolution_due=now + 20 * HOUR)
    make_ticket(asker, subject="Answered, resolution late", status="open", first_response_at=now - 40 * HOUR,
                first_response_due=now - 39 * HOUR, resolution_due=now - HOUR)
    make_ticket(asker, subject="Paused", status="waiting", first_response_at=now - 40 * HOUR,
                first_response_due=now - 39 * HOUR, resolution_due=now - HOUR, waiting_since=now - 2 * HOUR)
    make_ticket(asker, subject="Fine", status="open", first_response_at=now - HOUR,
                first_response_due=now + HOUR, resolution_due=now + 30 * HOUR)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_figures_show_resolved_attainment_beside_open_breaches(client, login):
    login("pmo")
    _figures_data(utcnow())
    text = _text(client.get("/helpdesk/figures").get_data(as_text=True))
    assert "100 % resolved within SLA (3 of 3 resolved in the last 6 months)" in text
    assert "2 open tickets past their SLA deadline now (1 still without a first answer)" in text
    assert "How these are counted." in text and "clock is paused" in text


def test_kpi_page_shows_the_open_breaches_next_to_resolved_within_sla(client, login):
    login("pmo")
    _figures_data(utcnow())
    page = client.get("/pmo/").get_data(as_text=True)
    card = page.split('id="kpi-open-breaches"', 1)[1].split("</article>", 1)[0]
    assert ">2</a>" in card and "past their SLA deadline now" in card
    assert 'id="kpi-sla-definition"' in page


def test_no_open_breach_reads_zero_and_no_resolved_ticket_reads_a_dash(client, login):
    login("pmo")
    text = _text(client.get("/helpdesk/figures").get_data(as_text=True))
    assert "— resolved within SLA (0 of 0" in text and "0 open tickets past their SLA deadline now" in text


def test_due_soonest_follows_the_deadline_the_column_shows(app):
    now = dt.datetime(2026, 12, 1, 10, 0)  # a Tuesday morning
    agent, asker = make_user("pmo"), make_user("member")
    paused = make_ticket(asker, subject="Paused", status="waiting", first_response_at=now - 9 * HOUR,
                         first_response_due=now - 8 * HOUR, resolution_due=now - 7 * HOUR, waiting_since=now)
    resolution_104 = make_ticket(asker, subject="Answered, 104 h", status="open", first_response_at=now - HOUR,
                                 first_response_due=now, resolution_due=now + 104 * HOUR)
    first_3_res_128 = make_ticket(asker, subject="Unanswered, due in 3 h", status="new",
                                  first_response_due=now + 3 * HOUR, resolution_due=now + 128 * HOUR)
    overdue = make_ticket(asker, subject="Unanswered, overdue", status="new", first_response_due=now - 2 * HOUR,
                          resolution_due=now + 200 * HOUR)
    done = make_ticket(asker, subject="Resolved", status="resolved", first_response_due=now - 50 * HOUR,
                       resolution_due=now - 60 * HOUR, resolved_at=now - 61 * HOUR, first_response_at=now - 55 * HOUR)
    page, _ = queue(agent, "all", sort="due", now=now)
    assert [t.id for t in page.rows] == [overdue.id, first_3_res_128.id, resolution_104.id, paused.id, done.id]


def test_overdue_out_of_hours_is_overdue_not_zero_minutes_left():
    calendar = BusinessCalendar()
    friday_5pm = dt.datetime(2026, 12, 4, 17, 0)
    ticket = Ticket(status="new", first_response_due=friday_5pm, resolution_due=friday_5pm + 40 * HOUR)
    assert sla_clock(ticket, friday_5pm + 3 * HOUR, calendar) == ("overdue", "overdue")  # no business minute passed
    assert sla_clock(ticket, friday_5pm - dt.timedelta(seconds=30), calendar) == ("under 1 min left", "soon")
    assert sla_clock(ticket, friday_5pm - 2 * HOUR, calendar) == ("2 h 00 min left", "soon")
    monday_noon = dt.datetime(2026, 12, 7, 12, 0)
    assert sla_clock(ticket, monday_noon, calendar) == ("3 h 00 min overdue", "overdue")


def test_queue_marks_overdue_rows_and_shows_category_labels(client, login):
    login("pmo")
    now = utcnow()
    make_ticket(subject="Late one", category="tools", status="new", first_response_due=now - 3 * HOUR)
    make_ticket(subject="Paused one", category="governance", status="waiting", waiting_since=now)
    page = client.get("/helpdesk/?view=all").get_data(as_text=True)
    late_row = next(row for row in page.split("<tr") if "Late one" in row)
    assert 'class="breached"' in late_row and '<td class="sla-overdue">' in late_row
    css = client.get(re.search(r'href="(/static/app\.css[^"]*)"', page).group(1)).get_data(as_text=True)
    assert re.search(r'\.sla-overdue::before \{ content: "⚠ "', css)  # the warning sign before the clock
    assert "<td>Tools and access</td>" in late_row and ">tools<" not in late_row
    paused_row = next(row for row in page.split("<tr") if "Paused one" in row)
    assert "sla-paused" in paused_row and "Governance and approval" in paused_row


def test_project_picker_offers_only_projects_the_asker_may_see(client, login):
    from tests.factories import make_project
    member = login("member")
    mine = make_project(members=[member], name="Atlas rollout")
    hidden = make_project(name="Secret merger")
    page = client.get("/helpdesk/new").get_data(as_text=True)
    picker = page.split('name="project"', 1)[1].split("</select>", 1)[0]
    assert f'value="{mine.code}"' in picker and "Atlas rollout" in picker
    assert hidden.code not in picker and "Secret merger" not in picker
    assert 'value="">No particular project' in picker


def test_bulk_controls_have_visible_labels(client, login):
    login("pmo")
    make_ticket()
    page = client.get("/helpdesk/").get_data(as_text=True)
    bar = page.split('id="bulk"', 1)[1].split("</form>", 1)[0]
    assert '<label for="bulk-assignee">Assign to' in bar and '<label for="bulk-status">Set status' in bar


def test_a_page_of_the_queue_stays_small_for_htmx(client, login):
    """The queue is re-sent on every filter, sort and 30-second refresh: a full page of overdue tickets
    (the heaviest rows: bulk checkbox, warning) is 20 rows and under 10 KB as a fragment."""
    login("pmo")
    now = utcnow()
    requester = make_user("member", name="Mei Lin-Okafor")
    for n in range(25):
        make_ticket(subject=f"Which template for the gate review of phase {n:02d}?", requester=requester,
                    category="governance", priority="high", status="new", first_response_due=now - 300 * HOUR)
    body = client.get("/helpdesk/?view=all", headers={"HX-Request": "true"}).get_data()
    assert body.count(b'<tr class="breached">') == 20 and b"Page 1 of 2" in body and b"<html" not in body
    assert len(body) <= 10 * 1024
