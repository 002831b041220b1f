"""Details people noticed on a walk through the portal: labels, sizes, dates, confirmations and next steps."""
import datetime
import io

import pytest

from portal.formats import human_size, iso_date, iso_datetime, role_label, section_label
from portal.kb.models import Acknowledgement
from portal.projects.models import Project
from portal.projects.review import decide
from tests.factories import make_project, make_user
from tests.kb_helpers import article

GOOD = {"name": "Intranet search", "summary": "Find documents fast.", "category": "Process improvement",
        "department": "IT", "start_date": "2026-03-01", "end_date": "2026-09-30", "budget": "120000",
        "reporting_cadence": "monthly", "sponsor": "0", "compliance_owner": "0", "action": "save"}


@pytest.fixture(autouse=True)
def _sync_every_request(app):
    app.config["KB_SYNC_SECONDS"] = 0


@pytest.mark.parametrize("size,text", [(0, "0 bytes"), (1, "1 byte"), (900, "900 bytes"), (1024, "1.0 KB"),
                                       (1536, "1.5 KB"), (5 * 1024 * 1024 + 300 * 1024, "5.3 MB"),
                                       (3 * 1024 ** 3, "3.0 GB")])
def test_sizes_read_as_bytes_kilobytes_and_megabytes(size, text):
    assert human_size(size) == text


def test_one_date_format_and_proper_labels():
    moment = datetime.datetime(2026, 11, 6, 14, 5, 59)
    assert iso_date(moment) == "2026-11-06" and iso_date(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert iso_datetime(moment) == "2026-11-06 14:05" and iso_date(None) == ""
    assert [role_label(r) for r in ("pmo", "manager", "member")] == ["PMO", "Manager", "Member"]
    assert [section_label(s) for s in ("faq", "kb", "lessons-learned", "standards")] == [
        "FAQ", "Knowledge base", "Lessons learned", "Standards"]


def test_sections_and_roles_are_spelled_as_people_write_them(client, login):
    make_user("pmo", name="Pia Planner")
    login("admin")
    index = client.get("/kb/").get_data(as_text=True)
    assert ">FAQ</a>" in index and ">Faq<" not in index
    section = client.get("/kb/faq/").get_data(as_text=True)
    assert "<h1>FAQ</h1>" in section and "section=faq" in section  # not the blueprint name "kb"
    users = client.get("/admin/users").get_data(as_text=True)
    assert "<td>PMO</td>" in users and ">Pmo<" not in users
    assert '<option value="pmo">PMO</option>' in client.get("/admin/users/new").get_data(as_text=True)


def test_document_sizes_are_human(app, client, login, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    manager = login("manager")
    project = make_project(manager=manager)
    for name, size in (("notes.txt", 300), ("plan.csv", 1536)):
        response = client.post(f"/projects/{project.code}/documents/", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(b"x" * size), name), "folder": "plans", "note": ""})
        assert response.status_code == 303
    html = client.get(f"/projects/{project.code}/documents/").get_data(as_text=True)
    assert "300 bytes" in html and "1.5 KB" in html and "0 KB" not in html


def test_a_booking_is_confirmed(client, login):
    manager = login("manager")
    project = make_project(manager=manager)
    person = make_user("member", name="Bo Booked")
    response = client.post(f"/projects/{project.code}/resources/", follow_redirects=True,
                           data={"person": person.id, "role": "Tester", "percent": 50,
                                 "start_date": "2026-03-02", "end_date": "2026-03-13"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Booked Bo Booked on {project.code} at 50% from 2026-03-02 to 2026-03-13." in html


def test_the_acknowledgement_comes_after_the_article(client, login):
    login("manager")
    client.get("/kb/")
    html = client.get("/kb/standards/status-reporting").get_data(as_text=True)
    assert html.index('class="kb-article"') < html.index('id="acknowledgement"')
    assert html.index('id="ack-note"') < html.index('class="kb-article"')  # a pointer at the top, no button
    assert html.index("I have read and understood") > html.index('class="kb-article"')


def test_members_are_counted_in_the_acknowledgement_report(client, login):
    reader = make_user("member", name="Mia Member")
    make_user("member", name="Noel Notyet")
    login("pmo")
    client.get("/kb/")
    standard = article("standards", "status-reporting")
    Acknowledgement.create(user=reader.id, article=standard.id, doc_version=standard.doc_version)
    detail = client.get(f"/kb/reports/acknowledgements/{standard.id}").get_data(as_text=True)
    assert "Mia Member" in detail and "Noel Notyet" in detail
    overview = client.get("/kb/reports/acknowledgements").get_data(as_text=True)
    assert "1 of 3" in overview  # two members and the signed-in PMO member
    csv_text = client.get(f"/kb/reports/acknowledgements/{standard.id}.csv").get_data(as_text=True)
    assert "Noel Notyet" in csv_text


def test_passing_a_module_links_to_the_next_one(client, login):
    login("member")
    client.get("/kb/")
    first, second = article("training", "01-basics"), article("training", "02-planning")
    response = client.post(f"/kb/article/{first.id}/complete", data={"q0": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'id="next-module"' in html and f'href="/kb/training/{second.slug}"' in html
    assert second.title in html
    last = client.post(f"/kb/article/{second.id}/complete", data={}, follow_redirects=True)  # no quiz
    assert "You completed this module." in last.get_data(as_text=True)
    assert "This was the last module of Essentials" in last.get_data(as_text=True)


def test_a_returned_request_shows_why_at_the_top(client, login):
    manager = login("manager")
    project = make_project(state="submitted", manager=manager, requester=manager, code="PRJ-2026-077")
    decide(project, make_user("pmo", name="Pat Pmo"), "return", "Add the benefits and a realistic end date.")
    html = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert 'id="return-reason"' in html
    top = html.index('id="return-reason"')
    assert top < html.index("<h2>Details</h2>") < html.index('id="history"')
    assert "Add the benefits and a realistic end date." in html[top:html.index("<h2>Details</h2>")]
    assert "Pat Pmo" in html[top:html.index("<h2>Details</h2>")]


def test_a_duplicate_project_name_warns_and_can_be_confirmed(client, login):
    manager = login("manager")
    make_project(name="Intranet Search", code="PRJ-2026-050", manager=manager)
    make_project(name="intranet search ", code="PRJ-2026-051")  # someone else's: named without its code
    data = {**GOOD, "manager": str(manager.id)}
    warned = client.post("/projects/new", data=data)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 422
    assert "Another project is already called this (PRJ-2026-050, a project you cannot open)" in html and 'name="same_name_ok"' in html
    assert Project.select().where(Project.name == "Intranet search").count() == 0
    confirmed = client.post("/projects/new", data={**data, "same_name_ok": "y"})
    assert confirmed.status_code == 303
    assert Project.select().where(Project.name == "Intranet search").count() == 1
    # Saving the same project again under its own name does not warn.
    mine = Project.get(Project.name == "Intranet search")
    again = client.post(f"/projects/{mine.ref}/edit", data={**data, "version": str(mine.version)})
    assert again.status_code == 303


def test_a_cancelled_project_of_the_same_name_does_not_warn(client, login):
    manager = login("manager")
    make_project(name="Intranet search", state="cancelled")
    response = client.post("/projects/new", data={**GOOD, "manager": str(manager.id)})
    assert response.status_code == 303


def test_status_charts_have_dated_axes_and_a_colour_key(client, login):
    from tests.status_helpers import due_now, earlier, make_report
    manager = login("manager")
    project = make_project(manager=manager, reporting_cadence="weekly", start_date=datetime.date(2025, 1, 1))
    end = due_now(project)
    first = earlier(project, end, 2)
    for n, rag in enumerate(["green", "amber", "red"]):
        make_report(project, earlier(project, end, 2 - n), rag=rag, percent=10 * (n + 1),
                    forecast_finish=project.end_date + datetime.timedelta(days=7 * n))
    html = client.get(f"/projects/{project.code}/status/").get_data(as_text=True)
    charts = html[html.index("RAG over time"):]
    # The RAG grid and both line charts are dated at both ends; the grid has a key for its colours.
    assert charts.count(f">{first.isoformat()}</text>") == 3 and charts.count(f">{end.isoformat()}</text>") == 3
    for word in ("Green", "Amber", "Red", "No report"):
        assert f">{word}</text>" in charts


def test_rag_mix_is_dated_in_iso_months_with_a_key(client, login):
    from portal.status.charts import rag_mix
    chart = str(rag_mix([(f"2026-{m:02d}", {"green": 1, "red": m % 2}) for m in range(1, 13)], "Mix"))
    assert ">2026-12</text>" in chart and ">12</text>" not in chart  # whole months, not "12"
    assert ">Green</text>" in chart and ">Amber</text>" in chart and ">Red</text>" in chart


def test_trends_are_sparklines_not_arrows(client, login):
    from tests.status_helpers import due_now, earlier, make_report
    manager = make_user("manager")
    project = make_project(manager=manager, reporting_cadence="weekly", start_date=datetime.date(2025, 1, 1))
    end = due_now(project)
    for n, rag in enumerate(["green", "green", "amber", "red"]):
        make_report(project, earlier(project, end, 3 - n), rag=rag)
    login("pmo")
    html = client.get("/dashboard/").get_data(as_text=True)
    row = html[html.index(f'data-code="{project.code}"'):]
    row = row[:row.index("</tr>")]
    assert '<svg class="sparkline"' in row and "▼" not in row and "worse" in row
    assert f"{end.isoformat()} red" in row  # the sparkline names each report for screen readers
    kpis = client.get("/pmo/").get_data(as_text=True)
    assert '<title>Articles viewed, month by month: ' in kpis and '<title>Deflections, month by' in kpis
