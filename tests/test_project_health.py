"""The project page tells its health before its tabs."""
import datetime as dt
from decimal import Decimal

import pytest

from portal.db import utcnow
from portal.milestones.models import Milestone
from tests.factories import make_project
from tests.risk_helpers import make_issue, make_risk
from tests.status_helpers import make_report

TODAY = utcnow().date()


@pytest.fixture(autouse=True)
def _today_now():
    """TODAY as of each test, not of the import: a run that crosses midnight stays right."""
    global TODAY
    TODAY = utcnow().date()


def test_health_shows_rag_trend_milestones_risks_issues_budget_and_flags(client, login):
    member = login("member")
    project = make_project(members=[member], budget=Decimal("200000"), reporting_cadence="weekly")
    make_report(project, TODAY - dt.timedelta(days=60), rag="green")
    make_report(project, TODAY - dt.timedelta(days=30), rag="red", spent_to_date=Decimal("150000"))
    make_risk(project, title="Supplier insolvency", probability=5, impact=4,
              review_date=TODAY - dt.timedelta(days=3))
    make_risk(project, title="Closed one", status="closed")
    make_issue(project, title="Server room flooded", due_date=TODAY - dt.timedelta(days=1))
    Milestone.create(project=project, name="Pilot live", due_date=TODAY + dt.timedelta(days=14))
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    health = page[page.index('id="health"'):page.index("</section>", page.index('id="health"'))]
    assert page.index('id="health"') < page.index('aria-label="Project sections"')  # before the tabs
    assert "rag-red" in health and "↓ worse" in health
    assert "Pilot live" in health and "Supplier insolvency" in health and "Closed one" not in health
    assert "Server room flooded" in health
    assert "200,000" in health and "150,000" in health and "(75 %)" in health
    assert "Status report for" in health and "1 risk(s) past their review date." in health
    assert "1 issue(s) past their due date." in health


def test_a_request_has_no_health_panel_yet(client, login):
    manager = login("manager")
    request = make_project(state="submitted", manager=manager)
    assert 'id="health"' not in client.get(f"/projects/{request.code}").get_data(as_text=True)


def test_a_project_without_reports_says_so(client, login):
    manager = login("manager")
    project = make_project(manager=manager)
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "No status report yet." in page and "No open risks." in page
