"""Every filterable list exports what is on screen, as CSV and as Excel with typed cells; the page's access applies."""
import datetime as dt
from decimal import Decimal

import pytest

from portal.lessons.models import Lesson
from tests.export_helpers import XLSX, csv_records, xlsx_records, xlsx_sheet
from tests.factories import make_project, make_ticket, make_user
from tests.resource_helpers import book
from tests.risk_helpers import make_issue, make_risk


def _both(client, url):
    """(csv records, xlsx records, xlsx bytes) of one list's two exports."""
    path, _, query = url.partition("?")
    got = {}
    for fmt in ("csv", "xlsx"):
        response = client.get(f"{path}export.{fmt}?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.headers["Content-Disposition"].startswith("attachment;")
        got[fmt] = response.get_data()
        if fmt == "xlsx":
            assert response.mimetype == XLSX
    csv_part, xlsx_part = csv_records(got["csv"]), xlsx_records(got["xlsx"])
    assert len(csv_part) == len(xlsx_part)
    return csv_part, xlsx_part, got["xlsx"]


def test_projects_export_honours_filters_types_and_visibility(app, client, login):
    member = login("member")
    mine = make_project(department="Finance", members=[member], budget=Decimal("1234.50"), name="=HYPERLINK(1)")
    make_project(department="Finance")  # not on its team: invisible to the member
    make_project(department="Sales", members=[member])
    csv_part, xlsx_part, raw = _both(client, "/projects/?department=Finance")
    assert [r["code"] for r in csv_part] == [mine.code] == [r["code"] for r in xlsx_part]
    row = xlsx_part[0]
    assert row["budget"] == 1234.5 and isinstance(row["budget"], float)
    assert row["start_date"] == dt.datetime(2026, 1, 1)  # a date cell, not text
    assert csv_part[0]["name"] == "'=HYPERLINK(1)"  # CSV: prefixed; Excel: a text cell, never a formula
    sheet = xlsx_sheet(raw)
    name_cell = sheet.cell(row=2, column=2)
    assert name_cell.value == "=HYPERLINK(1)" and name_cell.data_type == "s"
    assert sheet.cell(row=2, column=7).data_type == "n" and sheet.cell(row=2, column=8).is_date


def test_dashboard_export_honours_filters(app, client, login):
    login("executive")
    finance = make_project(department="Finance")
    make_project(department="Sales")
    csv_part, xlsx_part, _ = _both(client, "/dashboard/?department=Finance")
    assert [r["code"] for r in csv_part] == [r["code"] for r in xlsx_part] == [finance.code]
    assert isinstance(xlsx_part[0]["budget"], (int, float))


def test_dashboard_export_lists_only_projects_the_reader_may_see(app, client, login):
    member = login("member")
    theirs = make_project(members=[member])
    make_project()
    csv_part, xlsx_part, _ = _both(client, "/dashboard/")
    assert [r["code"] for r in csv_part] == [r["code"] for r in xlsx_part] == [theirs.code]


def test_portfolio_risks_export_honours_filters_order_and_visibility(app, client, login):
    member = login("member")
    project = make_project(members=[member])
    high = make_risk(project, probability=5, impact=4, title="High one")
    make_risk(project, probability=1, impact=2, title="Low one")
    make_risk(make_project(), probability=5, impact=5, title="Elsewhere")  # not the member's project
    csv_part, xlsx_part, _ = _both(client, "/risks/?band=high")
    assert [r["title"] for r in xlsx_part] == ["High one"] == [r["title"] for r in csv_part]
    assert xlsx_part[0]["score"] == 20 and xlsx_part[0]["id"] == f"R-{high.id}"
    _, everything, _ = _both(client, "/risks/?sort=title")
    assert [r["title"] for r in everything] == ["High one", "Low one"]


def test_project_risk_and_issue_exports_honour_filters_and_access(app, client, login):
    member = login("member")
    project = make_project(members=[member])
    make_risk(project, title="Open risk")
    make_risk(project, title="Closed risk", status="closed")
    make_issue(project, title="Late shipment", due_date=dt.date(2020, 1, 1))
    make_issue(project, title="Done", status="closed")
    _, risks, _ = _both(client, f"/projects/{project.code}/risks/?status=closed")
    assert [r["title"] for r in risks] == ["Closed risk"]
    csv_part, issues, _ = _both(client, f"/projects/{project.code}/issues/")
    assert [r["title"] for r in issues] == ["Late shipment"] and issues[0]["overdue"] == "yes"
    assert issues[0]["due_date"] == dt.datetime(2020, 1, 1) and issues[0]["priority"] == 3
    _, closed, _ = _both(client, f"/projects/{project.code}/issues/?status=closed")
    assert [r["title"] for r in closed] == ["Done"]
    other = make_project()
    for url in (f"/projects/{other.code}/risks/export.xlsx", f"/projects/{other.code}/issues/export.csv",
                f"/projects/{other.code}/resources/export.xlsx"):
        assert client.get(url).status_code == 404


def test_helpdesk_queue_export_is_the_view_with_its_filters_without_bodies(app, client, login):
    asker = make_user("member")
    make_ticket(requester=asker, subject="Urgent thing", priority="high", body="SECRET-BODY")
    make_ticket(requester=asker, subject="Normal thing")
    login("pmo")
    csv_part, xlsx_part, raw = _both(client, "/helpdesk/?view=open&priority=high")
    assert [r["subject"] for r in xlsx_part] == ["Urgent thing"] == [r["subject"] for r in csv_part]
    assert isinstance(xlsx_part[0]["created_at"], dt.datetime)
    assert b"SECRET-BODY" not in raw
    login("member")  # someone else's tickets are not in their queue
    _, theirs, _ = _both(client, "/helpdesk/?view=all")
    assert theirs == []


def test_lessons_export_honours_search_and_visibility(app, client, login):
    member = login("member")
    seen = make_project(members=[member], state="closed")
    Lesson.create(project=seen, category="suppliers", to_improve="Sign the supplier contract earlier")
    Lesson.create(project=seen, category="planning", to_improve="Plan the cut-over")
    Lesson.create(project=make_project(state="closed"), category="suppliers", to_improve="Hidden supplier lesson")
    csv_part, xlsx_part, _ = _both(client, "/lessons/?q=supplier")
    assert [r["to_improve"] for r in xlsx_part] == ["Sign the supplier contract earlier"]
    assert [r["to_improve"] for r in csv_part] == ["Sign the supplier contract earlier"]


def test_audit_export_is_for_pmo_and_admins_and_honours_the_type(app, client, login):
    login("member")
    assert client.get("/admin/audit/export.csv").status_code == 403
    login("pmo")
    from portal.audit.services import record
    record(None, "thing.done", "widget", 1, "A widget changed", before={"a": 1}, after={"a": 2})
    record(None, "other.done", "gadget", 2, "A gadget changed")
    _, rows, _ = _both(client, "/admin/audit/?type=widget")
    assert [r["summary"] for r in rows] == ["A widget changed"]
    assert isinstance(rows[0]["at"], dt.datetime)


def test_allocation_exports_hide_projects_the_reader_cannot_see(app, client, login):
    manager = login("manager")
    mine = make_project(manager=manager)
    person = make_user("member")
    book(person, mine, "2026-03-02", "2026-03-27", 60)
    book(person, make_project(), "2026-03-02", "2026-03-27", 30)  # a project the manager cannot see
    book(make_user("member"), make_project(), "2026-03-02", "2026-03-27", 50)  # nobody the manager books
    _, rows, _ = _both(client, "/resources/?start=2026-03-02")
    assert sorted((r["project"] or "", r["percent"]) for r in rows) == [("", 30), (mine.code, 60)]
    assert {r["project_name"] for r in rows} == {mine.name, "another project"}
    assert rows[0]["start_date"] == dt.datetime(2026, 3, 2)
    _, on_project, _ = _both(client, f"/projects/{mine.code}/resources/")
    assert [(r["person"], r["percent"]) for r in on_project] == [(person.name, 60)]


@pytest.mark.parametrize("url", ["/projects/", "/dashboard/", "/risks/", "/helpdesk/", "/lessons/", "/resources/",
                                 "/admin/audit"])
def test_list_pages_link_both_exports_with_the_current_filters(app, client, login, url):
    login("admin")
    page = client.get(f"{url}?q=abc&page=2").get_data(as_text=True)
    assert "export.csv?" in page and "export.xlsx?" in page
    assert "q=abc" in page.split("export.xlsx?")[1].split('"')[0] or url == "/admin/audit"
    assert "page=2" not in page.split("export.xlsx?")[1].split('"')[0]
