"""Every download and export, and the sign-in redirect, through gunicorn: whole bodies, right types, right rows."""
import csv
import io
import os
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_project, make_user
from tests.live import assert_complete
from tests.risk_helpers import make_risk

pytestmark = pytest.mark.live


def _csv(response):
    """The CSV rows of a complete text/csv download (header first)."""
    assert response.status_code == 200, response.text[:500]
    assert_complete(response)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _signed_in(live, role="pmo", **fields):
    user = make_user(role, **fields)
    session = live.session()
    session.sign_in(user)
    return session, user


def _department():
    """A department no other test uses, so a filtered export shows exactly what the test seeded."""
    return f"Dept {uuid.uuid4().hex[:8]}"


# --- sign-in redirects -----------------------------------------------------------

@pytest.mark.parametrize("path", ["/projects/export.csv?state=active", "/dashboard/", "/pmo/export.csv",
                                  "/helpdesk/", "/kb/reports/acknowledgements"])
def test_anonymous_request_goes_to_login_and_comes_back_after_sign_in(live, path):
    session = live.session()
    first = session.get(path, allow_redirects=False)
    assert first.status_code == 302
    target = urlsplit(first.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [path]

    user = make_user("pmo")
    back = session.sign_in(user, next_url=path)
    assert back.headers["Location"].endswith(path)
    landed = session.get(back.headers["Location"], allow_redirects=False)
    assert landed.status_code == 200
    assert_complete(landed)


def test_sign_in_refuses_to_send_the_user_off_site(live):
    session = live.session()
    back = session.sign_in(make_user("member"), next_url="//evil.example/steal")
    assert urlsplit(back.headers["Location"]).netloc in ("", urlsplit(live.base_url).netloc)


# --- CSV exports -------------------------------------------------------------------

def test_projects_export_streams_every_seeded_row(live):
    department = _department()
    manager = make_user("manager")
    projects = [make_project(manager=manager, department=department, name=f"Road {i:03d}") for i in range(150)]
    projects.append(make_project(manager=manager, department=department, name="=HYPERLINK(\"x\")"))
    session, _ = _signed_in(live, "pmo")

    rows = _csv(session.get("/projects/export.csv", params={"department": department}))

    assert rows[0][:3] == ["code", "name", "state"]
    assert {r[0] for r in rows[1:]} == {p.code for p in projects}
    assert "'=HYPERLINK(\"x\")" in {r[1] for r in rows[1:]}  # formula-safe through the real server too
    assert live.error_count() == 0, live.log_tail()


def test_projects_export_shows_a_member_only_their_projects(live):
    department = _department()
    member = make_user("member")
    mine = make_project(department=department, members=[member])
    make_project(department=department)
    session = live.session()
    session.sign_in(member)

    rows = _csv(session.get("/projects/export.csv", params={"department": department}))

    assert [r[0] for r in rows[1:]] == [mine.code]


def test_risk_export_streams_the_projects_risks(live):
    project = make_project()
    risks = [make_risk(project, title=f"Risk {i}", probability=1 + i % 5, impact=1 + (i * 2) % 5) for i in range(60)]
    make_risk(make_project(), title="Another project's risk")
    session, _ = _signed_in(live, "pmo")

    response = session.get(f"/projects/{project.ref}/risks/export.csv")
    rows = _csv(response)

    assert f'filename="risks-{project.ref}.csv"' in response.headers["Content-Disposition"]
    assert {r[0] for r in rows[1:]} == {f"R-{r.id}" for r in risks}
    assert {r[1] for r in rows[1:]} == {project.code}
    scores = [int(r[7]) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)


def test_dashboard_export_lists_the_active_projects_of_the_filter(live):
    department = _department()
    active = [make_project(department=department) for _ in range(5)]
    make_project(state="closed", department=department)
    session, _ = _signed_in(live, "pmo")

    rows = _csv(session.get("/dashboard/export.csv", params={"department": department}))

    assert rows[0][0] == "code"
    assert sorted(r[0] for r in rows[1:]) == sorted(p.code for p in active)


def test_kpi_export_has_one_row_per_month_asked(live):
    session, _ = _signed_in(live, "pmo")

    rows = _csv(session.get("/pmo/export.csv", params={"months": 9}))

    assert rows[0][0] == "month"
    assert len(rows) == 1 + 9
    assert len({r[0] for r in rows[1:]}) == 9


def test_ack_report_csv_lists_who_acknowledged(live):
    from portal.auth.models import User
    from portal.kb.models import ACK_ROLES, Acknowledgement, Article
    from portal.kb.services import sync_if_due

    sync_if_due(force=True)
    article = Article.get((Article.section == "standards") & (Article.slug == "risk"))
    readers = [make_user("manager") for _ in range(3)]
    Acknowledgement.create(user=readers[0], article=article, doc_version=article.doc_version)
    session, _ = _signed_in(live, "pmo")

    response = session.get(f"/kb/reports/acknowledgements/{article.id}.csv")
    rows = _csv(response)

    assert "acknowledgements-risk-v" in response.headers["Content-Disposition"]
    by_email = {r[1]: r for r in rows[1:]}
    expected = User.select().where(User.active == True, User.role.in_(ACK_ROLES)).count()  # noqa: E712
    assert len(rows) - 1 == expected
    assert by_email[readers[0].email][6] != ""
    assert by_email[readers[1].email][6] == "" and by_email[readers[2].email][6] == ""


# --- printable pages and files ---------------------------------------------------------

def test_printable_summary_arrives_whole(live):
    department = _department()
    red = make_project(department=department, name="Printable red project")
    from tests.status_helpers import make_report, today
    make_report(red, today(), rag="red")
    session, _ = _signed_in(live, "executive")

    response = session.get("/dashboard/summary", params={"department": department})

    assert response.status_code == 200
    assert_complete(response)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Printable red project" in response.text
    assert response.text.rstrip().endswith("</html>")


def test_knowledge_image_and_template_downloads(live):
    image = (live.knowledge / "images" / "rag.png").read_bytes()
    template = live.knowledge / "templates" / "files" / f"charter-{uuid.uuid4().hex[:6]}.docx"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_bytes(os.urandom(300_000))
    session, _ = _signed_in(live, "member")

    png = session.get("/kb/files/images/rag.png")
    doc = session.get(f"/kb/files/templates/files/{template.name}")

    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert_complete(png)
    assert png.content == image
    assert doc.status_code == 200 and doc.headers["Content-Type"] == "application/octet-stream"
    assert doc.headers["Content-Disposition"].startswith("attachment;")
    assert_complete(doc)
    assert doc.content == template.read_bytes()
    assert session.get("/kb/files/standards/risk.md").status_code == 404  # articles are read on their pages


def test_uploaded_document_downloads_byte_for_byte(live):
    from portal.documents.models import Document
    manager = make_user("manager")
    project = make_project(manager=manager)
    payload = os.urandom(2_500_000)
    session = live.session()
    session.sign_in(manager)

    upload = session.post(f"/projects/{project.ref}/documents/", data={"folder": "plans", "note": "first"},
                          files={"file": ("Plan ü.xlsx", payload)}, allow_redirects=False)
    assert upload.status_code in (302, 303), upload.text[:500]
    doc = Document.get(Document.project == project.id)
    response = session.get(f"/projects/{project.ref}/documents/{doc.id}/download")

    assert response.status_code == 200
    assert_complete(response)
    assert response.content == payload
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]
    outsider = live.session()
    outsider.sign_in(make_user("member"))
    assert outsider.get(f"/projects/{project.ref}/documents/{doc.id}/download").status_code == 404


def test_document_started_from_a_template_downloads_the_template(live):
    from portal.documents.models import Document
    template = live.knowledge / "templates" / "files" / f"raid-log-{uuid.uuid4().hex[:6]}.xlsx"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_bytes(os.urandom(50_000))
    manager = make_user("manager")
    project = make_project(manager=manager)
    session = live.session()
    session.sign_in(manager)

    started = session.post(f"/projects/{project.ref}/documents/from-template", data={"template": template.name},
                           allow_redirects=False)
    assert started.status_code in (302, 303), started.text[:500]
    doc = Document.get(Document.project == project.id)
    response = session.get(f"/projects/{project.ref}/documents/{doc.id}/v1/download")

    assert response.status_code == 200
    assert_complete(response)
    assert response.content == template.read_bytes()


def test_helpdesk_attachment_downloads_for_the_requester_only(live):
    from portal.helpdesk.models import Attachment, Ticket
    requester = make_user("member")
    payload = b"line one\r\n" * 50_000
    session = live.session()
    session.sign_in(requester)

    created = session.post("/helpdesk/new", data={"subject": "Which template?", "body": "See the attached file.",
                                                  "category": "methodology", "priority": "normal"},
                           files={"attachment": ("notes.txt", payload, "text/plain")}, allow_redirects=False)
    assert created.status_code in (302, 303), created.text[:500]
    ticket = Ticket.select().where(Ticket.requester == requester.id).get()
    item = Attachment.get(Attachment.ticket == ticket.id)
    url = f"/helpdesk/{ticket.number}/attachments/{item.id}"
    response = session.get(url)

    assert response.status_code == 200
    assert_complete(response)
    assert response.content == payload
    assert "attachment" in response.headers["Content-Disposition"]
    stranger = live.session()
    stranger.sign_in(make_user("member"))
    assert stranger.get(url).status_code in (403, 404)


def test_printable_status_report_arrives_whole(live):
    from tests.status_helpers import make_report, today
    manager = make_user("manager")
    project = make_project(manager=manager)
    report = make_report(project, today(), rag="amber", accomplishments="Printed through gunicorn " * 400)
    session = live.session()
    session.sign_in(manager)

    response = session.get(f"/projects/{project.ref}/status/{report.period_end.isoformat()}")

    assert response.status_code == 200
    assert_complete(response)
    assert response.text.count("Printed through gunicorn") >= 400
    assert response.text.rstrip().endswith("</html>")
