"""The faster list queries show the same rows, in the same order, with the same counts as the plain ones:
the portfolio risk list (ids first, rows after), the over-allocation runs (each day's load summed once)
and the home page's red projects (newest report per live project)."""
import datetime as dt
import itertools

from portal.db import utcnow
from portal.resources.load import buckets, peak
from portal.resources.models import Allocation
from portal.resources.services import conflicts, overallocated_people
from portal.risks import portfolio
from portal.risks.queries import SORTS, page_of
from tests.factories import make_project, make_user
from tests.resource_helpers import book
from tests.risk_helpers import make_risk
from tests.status_helpers import make_report

D = dt.date.fromisoformat


def _rows(page):
    return [(r.id, r.title, r.owner_name, r.project_code, r.project_name) for r in page.rows]


def test_the_portfolio_risk_list_pages_through_every_sort_as_the_plain_query(app):
    owners = [make_user("member", name=f"Owner {n}") for n in range(3)]
    projects = [make_project(name=f"Portfolio {n}") for n in range(3)] + [make_project(state="draft", name="Draft")]
    today = utcnow().date()
    for n in range(23):
        # Few distinct scores and review dates, so every sort has ties for its last key to settle.
        make_risk(projects[n % 4], owner=owners[n % 3], probability=1 + n % 3, impact=2 + n % 2,
                  title=f"Risk {n % 5:02d}", status=("open", "monitoring", "closed")[n % 3],
                  review_date=None if n % 4 == 0 else today + dt.timedelta(days=n % 3 - 1),
                  category=("technical", "supplier")[n % 2], escalated=n % 5 == 0)
    pmo, outsider = make_user("pmo"), make_user("member")
    filters = [{}, {"status": "all"}, {"band": "low", "overdue": "1"}, {"escalated": "1"},
               {"q": "Risk 03"}, {"project": projects[1].code.lower()}, {"category": "supplier", "status": "closed"}]
    for user, f, sort in itertools.product((pmo, outsider), filters, SORTS):
        seen, expected_total = [], None
        for number in itertools.count(1):
            plain = page_of(portfolio.visible_risks(user, f, today), sort, number, 4)
            fast = portfolio.risk_page(user, f, today, sort, number, 4)
            assert _rows(fast) == _rows(plain) and fast.total == plain.total, (user.role, f, sort, number)
            seen += _rows(fast)
            expected_total = plain.total
            if not fast.has_next:
                break
        assert len(seen) == expected_total == len(set(seen))
        if user is outsider:
            assert not seen  # no project of theirs: nothing, on every page


def test_over_allocation_runs_match_the_day_by_day_load(app):
    start = D("2026-03-02")  # a Monday
    people = [make_user("member", name=f"Person {n}") for n in range(4)]
    alpha, beta = make_project(name="Alpha"), make_project(name="Beta")
    # Starts on weekends and mid-week, bookings meeting mid-week, a run broken by a calm week, a lone 100 %.
    book(people[0], alpha, "2026-03-07", "2026-03-20", 60)
    book(people[0], beta, "2026-03-09", "2026-03-11", 50)
    book(people[0], beta, "2026-03-25", "2026-04-10", 70)
    book(people[0], alpha, "2026-03-30", "2026-04-03", 50)
    book(people[1], alpha, "2026-03-02", "2026-03-04", 60)
    book(people[1], beta, "2026-03-05", "2026-03-13", 60)
    book(people[2], alpha, "2026-02-20", "2026-06-30", 100)
    book(people[3], alpha, "2026-03-02", "2026-05-29", 40)
    book(people[3], beta, "2026-03-14", "2026-03-16", 70)
    book(people[3], beta, "2026-04-01", "2026-04-01", 61)
    periods = buckets(start, "week", 12)
    expected = {}
    for person in people:
        booked = [(a.start_date, a.end_date, a.percent)
                  for a in Allocation.select().where(Allocation.person == person.id)]
        weeks = [(s, peak(booked, s, e)) for s, e in periods]
        over = [(s, load) for s, load in weeks if load > 100]
        if over:
            expected[person.name] = over
    assert set(expected) == {"Person 0", "Person 3"}
    runs = conflicts(None, start)
    by_person = {}
    for run in runs:
        by_person.setdefault(run["name"], []).extend(run["weeks"])
        assert run["peak"] == max(load for s, load in expected[run["name"]] if run["first"] <= s <= run["last"])
    assert by_person == {name: [s for s, _ in over] for name, over in expected.items()}
    # Over in two weeks apart, with calm weeks between: two runs each (a booking starting on Saturday
    # 14 March counts from Monday 16 March, in the next week).
    assert [(r["name"], r["first"]) for r in runs] == [
        ("Person 0", D("2026-03-09")), ("Person 0", D("2026-03-30")),
        ("Person 3", D("2026-03-16")), ("Person 3", D("2026-03-30"))]
    firsts = overallocated_people(None, start)
    assert [(p["name"], p["first"]) for p in firsts] == [(name, over[0][0]) for name, over in sorted(expected.items())]


def test_red_projects_on_the_home_page_follow_each_projects_newest_report(client, login):
    today = utcnow().date()
    reds = []
    for n in range(7):
        project = make_project(name=f"Red {n}")
        make_report(project, today - dt.timedelta(days=60), rag="green")
        make_report(project, today - dt.timedelta(days=3 + n % 2), rag="red")
        reds.append(project)
    was_red = make_project(name="Mended")
    make_report(was_red, today - dt.timedelta(days=60), rag="red")
    make_report(was_red, today - dt.timedelta(days=2), rag="amber")
    closed = make_project(state="closed", name="Closed red")
    make_report(closed, today - dt.timedelta(days=2), rag="red")
    login("executive")
    page = client.get("/").get_data(as_text=True)
    section = page[page.index("Red projects"):page.index("</article>", page.index("Red projects"))]
    assert "(7)" in section and "Mended" not in section and "Closed red" not in section
    # Newest red report first, then by code: the four reported three days ago, then the first of the others.
    newest = [p for n, p in enumerate(reds) if n % 2 == 0]
    listed = [p.code for p in sorted(newest, key=lambda p: p.code)] + [min(p.code for p in reds if p not in newest)]
    positions = [section.index(code) for code in listed]
    assert positions == sorted(positions) and "All 7" in section


def test_the_help_desk_queue_pages_due_soonest_in_the_order_its_sla_column_shows(app):
    from portal.helpdesk.models import Ticket
    from portal.helpdesk.queue import queue
    from tests.factories import make_ticket
    agent, asker = make_user("pmo"), make_user("member")
    base = dt.datetime(2026, 3, 2, 9, 0)
    statuses = ("new", "open", "waiting", "resolved", "closed")
    for n in range(17):
        # Shared deadlines (ties settle newest first), answered and unanswered tickets, every status.
        answered = n % 3 == 0
        make_ticket(asker, subject=f"Due order {n}", status=statuses[n % 5],
                    first_response_due=base + dt.timedelta(hours=n % 4),
                    first_response_at=base if answered else None,
                    resolution_due=base + dt.timedelta(hours=2 + n % 3))
    rank = {"new": 0, "open": 0, "waiting": 1}

    def shown_due(t):
        return t.first_response_due if t.first_response_at is None else t.resolution_due

    expected = [t.id for t in sorted(Ticket.select(), key=lambda t: (rank.get(t.status, 2), shown_due(t), -t.id))]
    listed, totals = [], set()
    for number in range(1, 6):
        page = queue(agent, "all", page=number, per_page=4)[0]
        listed += [t.id for t in page.rows]
        totals.add(page.total)
    assert listed == expected and totals == {17}
    open_ids = [t.id for t in queue(agent, "open", per_page=50)[0].rows]
    assert open_ids == [i for i in expected if Ticket.get_by_id(i).status in ("new", "open", "waiting")]
