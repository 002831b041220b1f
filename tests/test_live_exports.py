"""Every list's CSV and Excel export through gunicorn: the streamed body arrives whole, filtered and scoped."""
import datetime as dt
import uuid

import pytest

from portal.audit.services import record
from portal.lessons.models import Lesson
from tests.export_helpers import XLSX, csv_records, xlsx_records, xlsx_sheet
from tests.factories import make_project, make_ticket, make_user
from tests.live import assert_complete
from tests.resource_helpers import book
from tests.risk_helpers import make_issue, make_risk

pytestmark = pytest.mark.live


def _tag():
    return uuid.uuid4().hex[:8]


def _signed_in(live, role="pmo", **fields):
    user = make_user(role, **fields)
    session = live.session()
    session.sign_in(user)
    return session, user


def _both(session, path, **params):
    """(csv records, xlsx records, xlsx bytes) of `path`export.csv / .xlsx with `params`, read whole."""
    got = {}
    for fmt in ("csv", "xlsx"):
        response = session.get(f"{path}export.{fmt}", params=params)
        assert response.status_code == 200, response.text[:300]
        assert_complete(response)
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Content-Type"].startswith(XLSX if fmt == "xlsx" else "text/csv")
        got[fmt] = response.content
    return csv_records(got["csv"]), xlsx_records(got["xlsx"]), got["xlsx"]


def test_projects_export_streams_a_large_filtered_list_as_typed_excel(live):
    department = f"Dept {_tag()}"
    projects = [make_project(department=department, name=f"Road {i:03d}") for i in range(300)]
    make_project(department="Elsewhere")
    session, _ = _signed_in(live)
    csv_part, xlsx_part, raw = _both(session, "/projects/", department=department)
    assert {r["code"] for r in xlsx_part} == {p.code for p in projects} == {r["code"] for r in csv_part}
    sheet = xlsx_sheet(raw)
    assert sheet.cell(row=2, column=7).data_type == "n" and sheet.cell(row=2, column=8).is_date
    assert live.error_count() == 0, live.log_tail()


def test_dashboard_and_portfolio_risk_exports(live):
    department = f"Dept {_tag()}"
    project = make_project(department=department)
    make_risk(project, probability=5, impact=5, title=f"Top {department}")
    session, _ = _signed_in(live, "executive")
    _, dashboard, _ = _both(session, "/dashboard/", department=department)
    assert [r["code"] for r in dashboard] == [project.code]
    _, risks, _ = _both(session, "/risks/", project=project.code, band="high")
    assert [r["title"] for r in risks] == [f"Top {department}"] and risks[0]["score"] == 25


def test_project_risk_and_issue_exports_and_their_access(live):
    member = make_user("member")
    project = make_project(members=[member])
    for i in range(80):
        make_risk(project, title=f"Risk {i}")
    make_issue(project, title="Late", due_date=dt.date(2026, 2, 1))
    session = live.session()
    session.sign_in(member)
    _, risks, _ = _both(session, f"/projects/{project.code}/risks/")
    assert len(risks) == 80
    _, issues, _ = _both(session, f"/projects/{project.code}/issues/")
    assert [(r["title"], r["due_date"]) for r in issues] == [("Late", dt.datetime(2026, 2, 1))]
    other = make_project()
    assert session.get(f"/projects/{other.code}/issues/export.xlsx").status_code == 404


def test_helpdesk_lessons_audit_and_allocation_exports(live):
    tag = _tag()
    make_ticket(subject=f"Queue {tag}", priority="high")
    closed = make_project(state="closed")
    Lesson.create(project=closed, category="planning", to_improve=f"Lesson {tag}")
    record(None, "thing.done", f"w{tag}", 1, f"Audit {tag}")
    person = make_user("member")
    book(person, closed, "2026-05-04", "2026-05-29", 40)
    session, _ = _signed_in(live, "pmo")
    _, tickets, _ = _both(session, "/helpdesk/", view="all", q=tag)
    assert [t["subject"] for t in tickets] == [f"Queue {tag}"]
    _, lessons, _ = _both(session, "/lessons/", q=tag)
    assert [r["to_improve"] for r in lessons] == [f"Lesson {tag}"]
    _, trail, _ = _both(session, "/admin/audit/", type=f"w{tag}")
    assert [r["summary"] for r in trail] == [f"Audit {tag}"]
    _, allocations, _ = _both(session, f"/projects/{closed.code}/resources/")
    assert [(r["person"], r["percent"]) for r in allocations] == [(person.name, 40)]
    _, window, _ = _both(session, "/resources/", start="2026-05-04")
    assert (person.name, closed.code, 40) in {(r["person"], r["project"], r["percent"]) for r in window}
    assert live.error_count() == 0, live.log_tail()
