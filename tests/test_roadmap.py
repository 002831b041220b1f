"""The roadmap: bars, phases, milestones, dependencies and the today line, scoped to the reader, at scale."""
import datetime
import time

import pytest

from portal.milestones.models import Milestone
from portal.projects.models import Project
from tests.conftest import sign_in
from tests.factories import make_project, make_user

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _today_now():
    """TODAY as of each test, not of the import: a run that crosses midnight stays right."""
    global TODAY
    TODAY = datetime.date.today()


@pytest.fixture
def world(app):
    member = make_user("member")
    a = make_project(name="Alpha", department="Finance", members=[member],
                     start_date=TODAY - datetime.timedelta(days=60), end_date=TODAY + datetime.timedelta(days=120))
    b = make_project(name="Bravo", department="Sales", start_date=TODAY - datetime.timedelta(days=30),
                     end_date=TODAY + datetime.timedelta(days=200))
    hidden = make_project(name="Hidden canary", department="Legal")
    late = Milestone.create(project=a, name="Design signed", due_date=TODAY + datetime.timedelta(days=20),
                            forecast_date=TODAY + datetime.timedelta(days=50))
    Milestone.create(project=b, name="Launch", due_date=TODAY + datetime.timedelta(days=40), depends_on=late)
    return {"member": member, "a": a, "b": b, "hidden": hidden, "pmo": make_user("pmo")}


def test_the_chart_draws_bars_milestones_arrows_and_today(client, world):
    sign_in(client, world["pmo"])
    page = client.get("/roadmap/").get_data(as_text=True)
    assert page.count('class="rm-row') == 3 and "<svg" in page and 'class="today"' in page
    assert "ms ms-slipped" in page and "ms ms-at-risk" in page  # the slip and the milestone waiting on it
    assert 'class="dep dep-risk"' in page and "Launch waits on Design signed" in page
    assert "Finance" in page and "Sales" in page and "phase Initiate" in page


def test_the_table_lists_the_same_and_flags_slips(client, world):
    sign_in(client, world["pmo"])
    page = client.get("/roadmap/?view=table").get_data(as_text=True)
    assert 'id="roadmap-table"' in page and "<svg" not in page
    assert "Design signed" in page and "slipped" in page and "at risk" in page


def test_filters_group_and_zoom(client, world):
    sign_in(client, world["pmo"])
    page = client.get("/roadmap/?department=Finance&group=manager&zoom=month").get_data(as_text=True)
    assert "Alpha" in page and "Bravo" not in page
    years = client.get("/roadmap/?zoom=year").get_data(as_text=True)
    assert f">{TODAY.year}<" in years
    assert client.get("/roadmap/?zoom=decade").status_code == 400
    assert client.get("/roadmap/?start=99999-01-01").status_code == 400
    assert client.get("/roadmap/?manager=99999999999999999999").status_code == 400


def test_the_reader_sees_only_their_projects(client, world):
    sign_in(client, world["member"])
    page = client.get("/roadmap/").get_data(as_text=True)
    assert "Alpha" in page and "Bravo" not in page and "Hidden canary" not in page
    assert "Hidden canary" not in client.get("/roadmap/?view=table").get_data(as_text=True)


def test_a_thousand_projects_render_quickly_in_a_bounded_number_of_queries(app, client):
    """1,000 projects with a milestone each: the page's queries do not grow with the projects."""
    manager, pmo = make_user("manager"), make_user("pmo")
    rows = [{"code": f"PRJ-2025-{i:04d}", "name": f"Bulk {i}", "requester": manager.id, "manager": manager.id,
             "state": "active", "department": f"Dept {i % 12}", "category": "Digital",
             "start_date": TODAY - datetime.timedelta(days=i % 300),
             "end_date": TODAY + datetime.timedelta(days=30 + i % 400)} for i in range(1000)]
    for start in range(0, 1000, 200):
        Project.insert_many(rows[start:start + 200]).execute()
    ids = [p for (p,) in Project.select(Project.id).tuples()]
    Milestone.insert_many([{"project": pid, "name": "Go-live", "due_date": TODAY + datetime.timedelta(days=60),
                            "forecast_date": TODAY + datetime.timedelta(days=60 + pid % 3)} for pid in ids]).execute()
    sign_in(client, pmo)
    client.get("/roadmap/")  # warm the templates
    started = time.perf_counter()
    response = client.get("/roadmap/")
    elapsed = time.perf_counter() - started
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.count('class="rm-row') == 1000
    print(f"roadmap, 1,000 projects: {elapsed * 1000:.0f} ms, {len(body) // 1024} KiB")
    assert elapsed < 5.0


def test_projects_that_ended_before_the_window_are_in_the_table_but_leave_no_gap_in_the_chart(client, world):
    make_project(name="Long finished", department="Finance", state="closed",
                 start_date=TODAY - datetime.timedelta(days=1200), end_date=TODAY - datetime.timedelta(days=900))
    make_project(name="Old archive", department="Archive", state="closed",
                 start_date=TODAY - datetime.timedelta(days=1500), end_date=TODAY - datetime.timedelta(days=1000))
    sign_in(client, world["pmo"])
    chart = client.get("/roadmap/").get_data(as_text=True)
    assert chart.count('class="rm-row') == 3 and "Long finished" not in chart
    # Three groups (Finance, Legal, Sales) of one drawn row each: 34 + 6 × 22 + 10; nothing for the rest.
    assert 'height="176"' in chart and "Archive" not in chart.split("<svg", 1)[1]
    table = client.get("/roadmap/?view=table").get_data(as_text=True)
    assert "Long finished" in table and "Old archive" in table
    assert f'href="/projects/{world["a"].code}"' in chart and f'href="/projects/{world["a"].code}"' in table
