"""Importing projects, risks and issues from CSV and Excel: preview and mapping, row errors, all or nothing,
re-import updates, the CLI, and the timing of a large file."""
import datetime as dt
import io
import os
import time
from decimal import Decimal

import pytest
from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.imports import services as svc
from portal.imports.models import ImportUpload
from portal.projects.models import Project, Transition
from portal.risks.models import Issue, Risk
from tests.factories import make_project, make_user
from tests.import_helpers import csv_bytes, xlsx_bytes

PROJECT_HEADER = ["Project code", "Project name", "Project manager", "Department", "Start", "End", "Budget",
                  "Category"]


def _upload(client, kind, filename, data):
    return client.post("/pmo/import/", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _preview_url(response):
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def _confirm(client, url, mapping=None):
    return client.post(url, data=mapping or {})


def _guessed(client, url):
    """The mapping fields the preview page would post back (its hidden inputs)."""
    from portal.imports.fields import FIELDS, guess_mapping  # noqa: F401
    page = client.get(url).get_data(as_text=True)
    import re
    return dict(re.findall(r'<input type="hidden" name="(col_[a-z_]+)" value="(\d*)">', page))


def test_projects_import_from_excel_goes_straight_to_active(app, client, login):
    pmo = login("pmo")
    manager = make_user("manager", email="ann.manager@example.test", name="Ann Manager")
    data = xlsx_bytes(PROJECT_HEADER, [
        ["LEG-001", "Warehouse scanners", "ann.manager@example.test", "Logistics", dt.date(2026, 2, 1),
         dt.date(2026, 11, 30), 125000.5, "Process improvement"],
        ["LEG-002", "Payroll move", "Ann Manager", "Finance", "2026-03-01", None, "80,000", ""],
    ])
    url = _preview_url(_upload(client, "projects", "legacy.xlsx", data))
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ready: 2 to create, 0 to update." in text
    mapping = _guessed(client, url)
    assert mapping["col_code"] == "0" and mapping["col_manager"] == "2" and mapping["col_budget"] == "6"
    response = _confirm(client, url, mapping)
    assert response.status_code == 303 and response.headers["Location"].endswith("/projects/")
    first = Project.get(Project.code == "LEG-001")
    assert (first.state, first.manager_id, first.department, first.budget) == (
        "active", manager.id, "Logistics", Decimal("125000.50"))
    assert (first.start_date, first.end_date) == (dt.date(2026, 2, 1), dt.date(2026, 11, 30))
    second = Project.get(Project.code == "LEG-002")
    assert second.budget == Decimal("80000.00") and second.start_date == dt.date(2026, 3, 1)
    assert Transition.get(Transition.project == first.id).to_state == "active"
    assert AuditEvent.get(AuditEvent.action == "import.projects").actor_id == pmo.id
    assert ImportUpload.select().count() == 0  # the stored upload goes once imported


def test_row_errors_are_in_plain_words_and_nothing_is_imported(app, client, login):
    login("pmo")
    make_user("manager", email="m@example.test")
    make_user("member", email="member@example.test")
    data = csv_bytes(PROJECT_HEADER, [
        ["OK-1", "Fine", "m@example.test", "Ops", "2026-01-01", "2026-06-30", "1000", ""],
        ["OK-2", "", "nobody@example.test", "Ops", "31/02/2026", "2026-06-30", "lots", ""],
        ["OK-1", "Duplicate", "member@example.test", "Ops", "2026-05-01", "2026-04-01", "-5", "Nonsense"],
    ])
    url = _preview_url(_upload(client, "projects", "bad.csv", data))
    text = client.get(url).get_data(as_text=True)
    for expected in ("Row 3: Name is empty.",
                     "Row 3: Manager: nobody active in the portal has the e-mail or name “nobody@example.test”.",
                     "Row 3: Start date: “31/02/2026” is not a date; write it as YYYY-MM-DD",
                     "Row 3: Budget: “lots” is not an amount",
                     "Row 4: Budget: must be an amount from 0 to 999,999,999,999."):
        assert expected in text, expected
    response = _confirm(client, url, _guessed(client, url))
    assert response.status_code == 422
    assert Project.select().count() == 0
    # Fixing the budget leaves the rest: still refused, and the other problems named.
    fixed = csv_bytes(PROJECT_HEADER, [
        ["OK-1", "Fine", "m@example.test", "Ops", "2026-01-01", "2026-06-30", "1000", ""],
        ["OK-1", "Duplicate", "member@example.test", "Ops", "2026-05-01", "2026-04-01", "5", "Nonsense"],
    ])
    url = _preview_url(_upload(client, "projects", "fixed.csv", fixed))
    text = client.get(url).get_data(as_text=True)
    assert "Row 3: Code OK-1 is also on row 2; each project once per file." in text
    assert "Row 3: Manager must hold the manager, PMO or admin role in the portal." in text
    assert "Row 3: End date is before the start date." in text
    assert "Row 3: Category “Nonsense” is not one the PMO has set" in text


def test_all_or_nothing_when_the_database_refuses_a_row(app):
    """A failure half-way through the writes (here a code already taken in other case) rolls back every row."""
    manager = make_user("manager")
    make_project(code="KEEP-1", name="Existing")
    header = ["code", "name", "manager"]
    rows = [(n, [f"NEW-{n}", f"New {n}", manager.email]) for n in range(2, 60)]
    plan = svc.plan_projects(header, rows, {"code": 0, "name": 1, "manager": 2})
    assert not plan.errors and plan.creates == 58
    plan.records.append((99, {"code": "NEW-2", "name": "Clash", "manager": (manager.id, "manager")}))
    with pytest.raises(Exception):  # noqa: B017 - the UNIQUE constraint, whichever database
        svc.run_projects(plan, None, "clash.xlsx")
    assert Project.select().count() == 1


def test_reimport_with_the_same_codes_updates(app, client, login):
    login("pmo")
    make_user("manager", email="m@example.test")
    first = xlsx_bytes(["code", "name", "manager", "budget"], [["UPD-1", "Old name", "m@example.test", 100]])
    _confirm(client, url := _preview_url(_upload(client, "projects", "a.xlsx", first)), _guessed(client, url))
    again = xlsx_bytes(["code", "name", "manager", "budget"], [["upd-1", "New name", "m@example.test", 200],
                                                                ["UPD-2", "Second", "m@example.test", 5]])
    url = _preview_url(_upload(client, "projects", "b.xlsx", again))
    assert "Ready: 1 to create, 1 to update." in client.get(url).get_data(as_text=True)
    assert _confirm(client, url, _guessed(client, url)).status_code == 303
    assert Project.select().count() == 2
    updated = Project.get(Project.code == "UPD-1")
    assert (updated.name, updated.budget, updated.version) == ("New name", Decimal("200.00"), 2)


def test_columns_can_be_chosen_when_headers_are_not_recognised(app, client, login):
    login("pmo")
    make_user("manager", email="m@example.test")
    data = csv_bytes(["Ref no", "Title of the thing", "Boss"], [["X-1", "Odd headers", "m@example.test"]])
    url = _preview_url(_upload(client, "projects", "odd.csv", data))
    text = client.get(url).get_data(as_text=True)
    assert "Choose the column that holds “Code”." in text and "Choose the column that holds “Manager”." in text
    chosen = {"col_code": "0", "col_name": "1", "col_manager": "2"}
    assert "Ready: 1 to create" in client.get(url, query_string=chosen).get_data(as_text=True)
    assert _confirm(client, url, chosen).status_code == 303
    assert Project.get(Project.code == "X-1").name == "Odd headers"


def test_uploads_are_checked_and_private_to_their_uploader(app, client, login):
    login("pmo")
    assert _upload(client, "projects", "notes.txt", b"hello").status_code == 422
    assert _upload(client, "projects", "fake.xlsx", b"not a zip").status_code == 422
    assert _upload(client, "projects", "empty.csv", b"code,name\n").status_code == 422
    broken = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<not really")
    response = _upload(client, "projects", "broken.xlsx", broken.getvalue())
    assert response.status_code == 422 and "could not be read" in response.get_data(as_text=True)
    url = _preview_url(_upload(client, "projects", "ok.csv", csv_bytes(["code"], [["A"]])))
    login("pmo")
    assert client.get(url).status_code == 404  # another PMO person's upload: not found, not forbidden
    login("manager")
    assert client.get("/pmo/import/").status_code == 403


def test_generated_looking_codes_move_the_code_counter(app):
    from portal.db import next_number
    manager = make_user("manager")
    plan = svc.plan_projects(["code", "name", "manager"], [(2, ["PRJ-2031-040", "Imported", manager.email])],
                             {"code": 0, "name": 1, "manager": 2})
    svc.run_projects(plan, None, "f.csv")
    assert next_number("project-2031") == 41


def test_risks_and_issues_import_and_reimport(app, client, login):
    login("pmo")
    owner = make_user("member", email="owner@example.test")
    project = make_project(code="RSK-1")
    header = ["Project", "Type", "Title", "Probability", "Impact", "Owner", "Category", "Review date", "Priority",
              "Due", "Status"]
    rows = [["RSK-1", "risk", "Vendor late", 4, 5, "owner@example.test", "supplier", dt.date(2026, 5, 1), None,
             None, "open"],
            ["rsk-1", "issue", "Scanner broke", None, None, "", "", None, 4, dt.date(2026, 4, 1), "in progress"]]
    url = _preview_url(_upload(client, "risks", "log.xlsx", xlsx_bytes(header, rows)))
    assert "Ready: 2 to create, 0 to update." in client.get(url).get_data(as_text=True)
    assert _confirm(client, url, _guessed(client, url)).status_code == 303
    risk = Risk.get(Risk.project == project.id)
    assert (risk.score, risk.owner_id, risk.category, risk.review_date) == (20, owner.id, "supplier",
                                                                         dt.date(2026, 5, 1))
    issue = Issue.get(Issue.project == project.id)
    assert (issue.priority, issue.status, issue.owner_id) == (4, "in_progress", project.manager_id)
    rows[0][3] = 2  # probability lowered; the same title updates the same risk
    rows.append(["RSK-1", "risk", "Bad status", 1, 1, "", "", None, None, None, "resolved"])
    rows.append(["NOPE-9", "risk", "Orphan", 1, 1, "", "", None, None, None, ""])
    url = _preview_url(_upload(client, "risks", "log2.xlsx", xlsx_bytes(header, rows)))
    text = client.get(url).get_data(as_text=True)
    assert "Row 4: Status resolved does not apply to a risk" in text
    assert "Row 5: There is no project with the code NOPE-9 (import the projects first)." in text
    assert _confirm(client, url, _guessed(client, url)).status_code == 422
    assert Risk.get_by_id(risk.id).score == 20  # nothing written
    url = _preview_url(_upload(client, "risks", "log3.xlsx", xlsx_bytes(header, rows[:2])))
    assert _confirm(client, url, _guessed(client, url)).status_code == 303
    assert Risk.select().count() == 1 and Risk.get_by_id(risk.id).score == 10


def test_cli_imports_all_or_nothing_and_exits_non_zero_on_problems(app, database_url, tmp_path, monkeypatch):
    make_user("manager", email="cli.manager@example.test")
    good = tmp_path / "projects.csv"
    good.write_bytes(csv_bytes(["code", "name", "manager"], [["CLI-1", "One", "cli.manager@example.test"],
                                                             ["CLI-2", "Two", "cli.manager@example.test"]]))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes(["code", "name", "manager"], [["CLI-3", "Three", "nobody@example.test"]]))
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("PORTAL_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    from portal.cli import main
    runner = CliRunner()
    result = runner.invoke(main, ["import", "projects", str(good)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Imported projects.csv: 2 created, 0 updated." in result.output
    result = runner.invoke(main, ["import", "projects", str(good), "--dry-run"], catch_exceptions=False)
    assert "Dry run: 0 would be created, 2 updated." in result.output
    result = runner.invoke(main, ["import", "projects", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "row 2: Manager: nobody active in the portal" in result.output
    assert "nothing was imported" in result.output


def _large_files(projects: int, risks: int, manager_email: str):
    project_rows = [[f"BIG-{n:05d}", f"Imported project {n}", manager_email, f"Dept {n % 12}",
                     dt.date(2026, 1 + n % 12, 1), dt.date(2027, 1 + n % 12, 1), 1000 + n, ""]
                    for n in range(projects)]
    risk_rows = [[f"BIG-{n % projects:05d}", "risk" if n % 4 else "issue", f"Item {n}", 1 + n % 5, 1 + n % 3,
                  manager_email, "technical", dt.date(2026, 6, 1), 1 + n % 5, dt.date(2026, 7, 1),
                  "open"] for n in range(risks)]
    return (xlsx_bytes(PROJECT_HEADER, project_rows),
            xlsx_bytes(["Project", "Type", "Title", "Probability", "Impact", "Owner", "Category", "Review date",
                        "Priority", "Due", "Status"], risk_rows))


def _timed_import(projects: int, risks: int) -> dict:
    manager = make_user("manager")
    projects_file, risks_file = _large_files(projects, risks, manager.email)
    timings = {}
    for kind, name, data in (("projects", "projects.xlsx", projects_file), ("risks", "risks.xlsx", risks_file)):
        start = time.perf_counter()
        plan, created, updated = svc.import_file(kind, name, data, None)
        timings[kind] = time.perf_counter() - start
        assert not plan.errors, plan.errors[:5]
        assert (created, updated) == ((projects, 0) if kind == "projects" else (risks, 0))
    start = time.perf_counter()
    plan, created, updated = svc.import_file("risks", "risks.xlsx", risks_file, None)
    timings["risks again"] = time.perf_counter() - start
    assert (created, updated) == (0, risks)
    assert Risk.select().count() + Issue.select().count() == risks
    return timings


def test_import_of_200_projects_and_2000_risks(app, backend):
    timings = _timed_import(200, 2000)
    print(f"\n[{backend}] 200 projects / 2,000 risks and issues: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))


@pytest.mark.slow
def test_import_of_1000_projects_and_10000_risks(app, backend):
    timings = _timed_import(1000, 10_000)
    print(f"\n[{backend}] 1,000 projects / 10,000 risks and issues: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    assert timings["projects"] < 60 and timings["risks"] < 120, os.environ.get("CI", "")


