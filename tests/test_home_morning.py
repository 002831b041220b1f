"""Home pages that hold the morning: each role's short lists, each row linking to where to act."""
import datetime as dt

import pytest

from portal.compliance.models import ComplianceFailure
from portal.db import utcnow
from portal.milestones.models import Milestone
from portal.projects.models import Transition
from tests.factories import make_project, make_user
from tests.risk_helpers import make_issue, make_risk
from tests.status_helpers import make_report

TODAY = utcnow().date()


@pytest.fixture(autouse=True)
def _today_now():
    """TODAY as of each test, not of the import: a run that crosses midnight stays right."""
    global TODAY
    TODAY = utcnow().date()


def _section(page: str, title: str) -> str:
    start = page.index(title)
    return page[start:page.index("</article>", start)]


def test_the_executive_sees_red_projects_and_top_risks(client, login):
    red = make_project(name="Harbour crane")
    make_report(red, TODAY - dt.timedelta(days=40), rag="green")
    make_report(red, TODAY - dt.timedelta(days=5), rag="red")
    mended = make_project(name="Mended one")
    make_report(mended, TODAY - dt.timedelta(days=40), rag="red")
    make_report(mended, TODAY - dt.timedelta(days=5), rag="green")
    make_risk(red, title="Crane parts late", probability=5, impact=5)
    login("executive")
    page = client.get("/").get_data(as_text=True)
    reds = _section(page, "Red projects")
    assert "Harbour crane" in reds and "Mended one" not in reds and f"/projects/{red.code}/status/" in reds
    assert "Crane parts late" in _section(page, "Top risks")


def test_a_manager_sees_returned_requests_with_the_reason_reports_due_and_milestones_at_risk(client, login):
    manager = login("manager")
    pmo = make_user("pmo", name="Priya Patel")
    returned = make_project(name="Intranet search", manager=manager, state="returned")
    Transition.create(project=returned, actor=pmo, from_state="in_review", to_state="returned",
                      comment="Add the rollout plan")
    mine = make_project(name="Payroll", manager=manager, reporting_cadence="weekly")
    other = make_project(name="Platform")
    api = Milestone.create(project=other, name="API ready", due_date=TODAY + dt.timedelta(days=10),
                           forecast_date=TODAY + dt.timedelta(days=40))
    Milestone.create(project=mine, name="Go live", due_date=TODAY + dt.timedelta(days=20), depends_on=api)
    page = client.get("/").get_data(as_text=True)
    assert "Priya Patel: Add the rollout plan" in _section(page, "Your requests returned for changes")
    assert f"/projects/{mine.code}/status/" in _section(page, "Status reports due")
    assert "predecessor slipped" in _section(page, "Milestones at risk")


def test_a_member_sees_their_open_risks_and_issues(client, login):
    member = login("member")
    project = make_project(members=[member])
    make_risk(project, owner=member, title="Key person leaves")
    make_issue(project, owner=member, title="Printer broken")
    make_risk(project, owner=make_user("member"), title="Not mine")
    page = client.get("/").get_data(as_text=True)
    mine = _section(page, "Your open risks and issues")
    assert "Key person leaves" in mine and "Printer broken" in mine and "Not mine" not in mine


def test_the_pmo_sees_escalations_overdue_reports_compliance_and_stale_articles(client, login):
    project = make_project(name="Late reporter", reporting_cadence="weekly")
    risk = make_risk(project, title="Budget overrun")
    from portal.risks.models import Risk
    Risk.update(escalated=True, escalated_at=utcnow(), escalation_note="Needs a decision").where(
        Risk.id == risk.id).execute()
    ComplianceFailure.create(project=project, check_key="reports_on_time", since=TODAY)
    login("pmo")
    page = client.get("/").get_data(as_text=True)
    assert "Budget overrun" in _section(page, "Risks escalated to the PMO")
    assert "active project(s) without their latest status report" in page
    assert "<strong>1</strong> project(s) failing a compliance check" in page


def test_home_queries_stay_bounded(client, login, monkeypatch):
    from portal.db import db
    manager = login("manager")
    real = db.obj
    calls = []
    original = real.execute_sql

    def counting(sql, *args, **kwargs):
        calls.append(sql)
        return original(sql, *args, **kwargs)

    def queries_for_home() -> int:
        calls.clear()
        monkeypatch.setattr(real, "execute_sql", counting)
        try:
            assert client.get("/").status_code == 200
        finally:
            monkeypatch.setattr(real, "execute_sql", original)
        return len(calls)

    for n in range(3):
        make_risk(make_project(name=f"P{n}", manager=manager), owner=manager)
    first = queries_for_home()
    for n in range(3, 20):
        make_risk(make_project(name=f"P{n}", manager=manager), owner=manager)
    assert queries_for_home() == first  # counts and top lists: the number of queries does not grow with the data


def test_members_see_training_still_to_complete(app, client, login):
    from portal.kb.models import Article, TrainingCompletion
    member = login("member")
    modules = [Article.create(path=f"training/m{i}.md", section="training", slug=f"m{i}", title=f"Module {i}",
                              revision=1) for i in range(3)]
    TrainingCompletion.create(user=member, article=modules[0])
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> training module(s) still to complete" in page and "/kb/training/" in page


def test_a_manager_sees_risks_to_review_on_the_projects_they_manage(client, login):
    manager = login("manager")
    project = make_project(manager=manager)
    make_risk(project, owner=make_user("member"), title="Old review", review_date=TODAY - dt.timedelta(days=9))
    make_risk(make_project(), title="Elsewhere", review_date=TODAY - dt.timedelta(days=9))
    page = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> risk(s) on your projects to review" in page


def test_over_allocations_for_the_pmo_and_conflicts_for_the_manager_who_books(client, login):
    from tests.resource_helpers import book
    manager = make_user("manager")
    busy = make_user("member", name="Busy Bee")
    start, end = TODAY, TODAY + dt.timedelta(days=30)
    book(busy, make_project(manager=manager), start, end, 70)
    book(busy, make_project(), start, end, 60)
    login("pmo")
    page = client.get("/").get_data(as_text=True)
    assert "Busy Bee" in _section(page, "Over-allocated people") and "130 %" in page
    from tests.conftest import sign_in
    sign_in(client, manager)
    assert "Busy Bee" in _section(client.get("/").get_data(as_text=True), "Bookings in conflict")


def test_a_report_filed_after_the_page_was_read_shows_on_the_next_read(app, client, login):
    """The lists are kept between requests, but never past a write: a red report filed by the
    project's manager shows on the executive's home page and dashboard at their next read."""
    from tests.conftest import sign_in
    from tests.status_helpers import due_now, form_data
    manager = make_user("manager", name="Mo Manager")
    project = make_project(name="Harbour crane", manager=manager, state="active")
    make_report(project, TODAY - dt.timedelta(days=60), rag="green")
    login("executive")
    assert "Harbour crane" not in client.get("/").get_data(as_text=True)
    assert "Harbour crane" in client.get("/dashboard/").get_data(as_text=True)
    assert "Harbour crane" not in client.get("/dashboard/?rag=red").get_data(as_text=True)

    filer = app.test_client()
    sign_in(filer, manager)
    reasons = {f"reason_{d}": "Crane parts late." for d in ("overall", "schedule", "budget", "scope", "resources")}
    response = filer.post(f"/projects/{project.code}/status/report",
                          data=form_data(due_now(project), **{f"rag_{d}": "red" for d in
                                                              ("overall", "schedule", "budget", "scope", "resources")},
                                         **reasons))
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:500]

    assert "Harbour crane" in _section(client.get("/").get_data(as_text=True), "Red projects")
    assert "Harbour crane" in client.get("/dashboard/?rag=red").get_data(as_text=True)
