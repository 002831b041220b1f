"""Hostile input found by an attack on the running portal: huge numbers, JSON bodies, CSV cells, orphaned files."""
import datetime

import pytest
import wtforms

from portal.compliance.services import load_check
from portal.numbers import MAX_INT, BoundedIntegerField, VersionField
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.risk_helpers import make_issue, make_risk
from tests.test_projects_views import GOOD

HUGE = "9" * 400  # past what a float holds: WTForms' NumberRange used to raise OverflowError
DAMAGED = "reload the page and save again"


# --- integers from requests ---------------------------------------------------------

class _Numbers(wtforms.Form):
    score = BoundedIntegerField("Score", minimum=1, maximum=5, validators=[wtforms.validators.Optional()])
    version = VersionField(validators=[wtforms.validators.InputRequired()])


@pytest.mark.parametrize("typed", [HUGE, str(MAX_INT + 1), "6", "0", "-1", "²", "٣", "1_0", "1.5", "abc"])
def test_a_number_field_refuses_what_the_database_cannot_hold_with_one_message(typed):
    from werkzeug.datastructures import MultiDict
    form = _Numbers(MultiDict({"score": typed, "version": typed}))
    assert not form.validate()
    assert form.errors["score"] == ["Enter a whole number between 1 and 5."]
    assert form.score.data is None or not 1 <= form.score.data <= 5
    if typed not in ("6", "0"):
        assert any(DAMAGED in e for e in form.form_errors)


def test_a_number_field_accepts_its_range_and_an_empty_optional_value():
    from werkzeug.datastructures import MultiDict
    form = _Numbers(MultiDict({"score": " 4 ", "version": str(MAX_INT)}))
    assert form.validate() and (form.score.data, form.version.data) == (4, MAX_INT)
    form = _Numbers(MultiDict({"score": "", "version": "1"}))
    assert form.validate() and form.score.data is None


def test_huge_list_filters_are_dropped_and_the_list_still_shows(client, login):
    pmo = login("pmo")
    project = make_project(manager=pmo, name="Still listed")
    make_risk(project, title="Still a risk")
    assert "Still listed" in client.get(f"/projects/?manager={HUGE}").get_data(as_text=True)
    for url in (f"/projects/{project.code}/risks/?owner={HUGE}&p={HUGE}&i={HUGE}", f"/risks/?owner={HUGE}"):
        response = client.get(url)
        assert response.status_code == 200 and "Still a risk" in response.get_data(as_text=True), url
    export = client.get(f"/projects/{project.code}/risks/export.csv?owner={HUGE}")
    assert export.status_code == 200 and "Still a risk" in export.get_data(as_text=True)
    assert client.get(f"/pmo/?months={HUGE}").status_code == 200


@pytest.mark.parametrize("query", [f"manager={HUGE}", "manager=-1"])
def test_huge_dashboard_filters_get_a_message(client, login, query):
    login("pmo")
    for url in (f"/dashboard/?{query}", f"/dashboard/export.csv?{query}"):
        response = client.get(url)
        assert response.status_code == 400 and "Those filters are not valid" in response.get_data(as_text=True)


def test_a_huge_dashboard_page_number_is_read_like_every_other_list(client, login):
    """The page argument is clamped by the shared parser, as on every list, never a 500."""
    login("pmo")
    response = client.get(f"/dashboard/?page={HUGE}")
    assert response.status_code == 200 and "Portfolio" in response.get_data(as_text=True)


def test_a_huge_person_in_the_resource_grid_is_not_found(client, login):
    login("pmo")
    assert client.get(f"/resources/cell?person={HUGE}&from=2026-01-05&to=2026-01-11").status_code == 404


def test_huge_scores_are_refused_next_to_the_field_and_nothing_is_scored(client, login):
    from portal.projects.models import Project
    login("pmo")
    request_ = make_project(state="submitted", requester=make_user("member"))
    response = client.post(f"/projects/{request_.ref}/score",
                           data={"strategic_fit": HUGE, "value": "3", "risk": "3", "effort": "3"})
    assert response.status_code == 422
    assert "Enter a whole number between 1 and 5." in response.get_data(as_text=True)
    assert Project.get_by_id(request_.id).score is None


def _version_posts(client):
    """(url, data, read back what the post would have changed) for every version-guarded form."""
    from portal.auth.models import User
    from portal.helpdesk.models import CannedAnswer
    from portal.lessons.models import Benefit
    from portal.milestones.models import Milestone
    from portal.projects.models import Project
    from portal.risks.models import Issue, Risk

    admin = make_user("admin")
    sign_in(client, admin)
    draft = make_project(state="draft", manager=admin, name="Kept")
    project = make_project(manager=admin)
    risk, issue = make_risk(project, title="Kept"), make_issue(project, title="Kept")
    milestone = Milestone.create(project=project, name="Kept", due_date=datetime.date(2026, 4, 1))
    benefit = Benefit.create(project=project, description="Kept", measure="m", target="t")
    canned = CannedAnswer.create(title="Kept", body="Kept")
    person = make_user("member", name="Kept")
    owner = str(admin.id)
    return [
        (f"/projects/{draft.ref}/edit", {"name": "Changed", "manager": owner, "action": "save"},
         lambda: Project.get_by_id(draft.id).name),
        (f"/projects/{project.code}/risks/{risk.id}/edit",
         {"title": "Changed", "category": "other", "probability": "3", "impact": "3", "owner": owner,
          "response": "mitigate"}, lambda: Risk.get_by_id(risk.id).title),
        (f"/projects/{project.code}/risks/{risk.id}/row/edit",
         {"title": "Changed", "category": "other", "probability": "3", "impact": "3", "owner": owner},
         lambda: Risk.get_by_id(risk.id).title),
        (f"/projects/{project.code}/risks/{risk.id}/status", {"status": "closed"},
         lambda: Risk.get_by_id(risk.id).status),
        (f"/projects/{project.code}/issues/{issue.id}/edit",
         {"title": "Changed", "priority": "3", "status": "open", "owner": owner}, lambda: Issue.get_by_id(issue.id).title),
        (f"/projects/{project.code}/milestones/{milestone.id}", {"forecast_date": "2026-04-10"},
         lambda: Milestone.get_by_id(milestone.id).forecast_date),
        (f"/projects/{project.code}/lessons/benefits/{benefit.id}",
         {f"b{benefit.id}-description": "Changed", f"b{benefit.id}-measure": "m", f"b{benefit.id}-target": "t"},
         lambda: Benefit.get_by_id(benefit.id).description),
        ("/compliance/checks/risk_review", {"enabled": "y", "threshold": "45"},
         lambda: load_check("risk_review").threshold),
        (f"/admin/users/{person.id}", {"name": "Changed", "role": "member"}, lambda: User.get_by_id(person.id).name),
        (f"/admin/users/{person.id}/deactivate", {}, lambda: User.get_by_id(person.id).active),
        (f"/helpdesk/canned/{canned.id}", {"title": "Changed", "body": "Changed"},
         lambda: CannedAnswer.get_by_id(canned.id).title),
    ]


@pytest.mark.parametrize("version", [HUGE, str(MAX_INT + 1), "-1", "abc"])
def test_a_damaged_edit_marker_is_refused_with_a_message_and_nothing_changes(client, version):
    for url, data, read in _version_posts(client):
        before = read()
        if url.startswith("/projects/") and "/lessons/" in url:
            data = {**data, url.rsplit("/", 1)[1].join(("b", "-version")): version}
        else:
            data = {**data, "version": version}
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code in (400, 422), (url, response.status_code)
        assert DAMAGED in body or "reload the page and try again" in body, url
        assert read() == before, url


def test_huge_numbers_in_visible_fields_are_refused_next_to_the_field(client, login):
    from portal.resources.models import Allocation
    from portal.status.models import StatusReport
    from tests.status_helpers import due_now, form_data
    login("admin")
    project = make_project()
    threshold = client.post("/compliance/checks/risk_review", data={"enabled": "y", "threshold": HUGE, "version": "1"})
    assert threshold.status_code == 422 and "Give a whole number." in threshold.get_data(as_text=True)
    assert load_check("risk_review").threshold == 30
    report = client.post(f"/projects/{project.code}/status/report",
                         data=form_data(due_now(project), percent_complete=HUGE))
    assert report.status_code == 422 and "between 0 and 100" in report.get_data(as_text=True)
    assert not StatusReport.select().exists()
    booking = client.post(f"/projects/{project.code}/resources/",
                          data={"person": str(make_user().id), "role": "Analyst", "percent": HUGE,
                                "start_date": "2026-02-02", "end_date": "2026-03-02"})
    assert booking.status_code == 422 and "between 1 and 100" in booking.get_data(as_text=True)
    assert not Allocation.select().exists()


def test_a_huge_kb_edit_marker_keeps_the_article(client, login):
    from tests.kb_helpers import article
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    for url, data in ((f"/kb/article/{a.id}/edit", {"text": a.text + "\nChanged.", "version": HUGE}),
                      (f"/kb/article/{a.id}/move", {"section": "faq", "slug": "moved", "version": HUGE})):
        response = client.post(url, data=data)
        assert response.status_code == 422 and DAMAGED in response.get_data(as_text=True), url
    fresh = article("standards", "risk")
    assert (fresh.text, fresh.revision) == (a.text, a.revision)


# --- request bodies ---------------------------------------------------------------------

@pytest.mark.parametrize("body", ['{"name": 5, "version": 1, "manager": true}', "[1, 2, 3]", "true", "12", '"text"'])
def test_a_json_body_on_a_form_route_gets_415_and_changes_nothing(client, login, body):
    from portal.projects.models import Project
    manager = login("manager")
    draft = make_project(state="draft", manager=manager, name="Kept")
    for url in (f"/projects/{draft.ref}/edit", "/projects/new", "/helpdesk/new", f"/projects/{draft.ref}/score"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 415, url
        assert "accepts form submissions only" in response.get_data(as_text=True)
    assert Project.get_by_id(draft.id).name == "Kept" and Project.select().count() == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/octet-stream"])
def test_other_body_types_are_refused_too(client, login, content_type):
    login("manager")
    response = client.post("/projects/new", data="name=Sneaky", content_type=content_type)
    assert response.status_code == 415 and content_type in response.get_data(as_text=True)


def test_form_encodings_and_empty_bodies_still_work(client, hx, login):
    from portal.projects.models import Project
    from portal.risks.models import Risk
    manager = login("manager")
    project = make_project(manager=manager)
    risk = make_risk(project)
    plain = client.post("/projects/new", data={**GOOD, "name": "Typed in a form", "manager": str(manager.id),
                                                 "action": "save"})
    assert plain.status_code == 303 and Project.get(Project.name == "Typed in a form")
    empty = client.post(f"/projects/{project.code}/risks/{risk.id}/review")  # a one-click button: no body at all
    assert empty.status_code == 303
    sent = hx.post(f"/projects/{project.code}/risks/{risk.id}/status",
                   data={"status": "monitoring", "version": str(Risk.get_by_id(risk.id).version)})
    assert sent.status_code < 400 and Risk.get_by_id(risk.id).status == "monitoring"
    multipart = client.post(f"/projects/{project.code}/risks/{risk.id}/status", content_type="multipart/form-data",
                            data={"status": "closed", "version": str(Risk.get_by_id(risk.id).version)})
    assert multipart.status_code == 303 and Risk.get_by_id(risk.id).status == "closed"


# --- CSV cells --------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["=1+1", "+1+1", "-5+cmd", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=HYPERLINK(\"x\")",
                                   " =1+1", "  \n @SUM(A1)", "\u00a0=1+1", "\tplain", "\nplain", "-", "- 5"])
def test_text_that_a_spreadsheet_could_run_is_quoted(typed):
    from portal.csvexport import safe_cell
    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("value", [-5, 0, 12, 3.5, -0.25, "-5", "12", "-12.50", "0.0", "Supplier late", " padded",
                                   "a=b", "2026-03-01"])
def test_numbers_and_harmless_text_stay_as_they_are(value):
    from decimal import Decimal

    from portal.csvexport import safe_cell
    assert safe_cell(value) == value
    assert safe_cell(Decimal("-1250.50")) == Decimal("-1250.50") and safe_cell(None) == ""


def test_the_risk_export_quotes_hidden_formulas_and_keeps_numbers(client, login):
    import csv
    import io
    user = login("member")
    project = make_project(members=[user])
    make_risk(project, probability=4, impact=5, title="\n=HYPERLINK(\"http://evil\")", trigger=" @SUM(A1)",
              mitigation="-5+cmd", contingency="-5")
    response = client.get(f"/projects/{project.code}/risks/export.csv")
    row = next(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert row["title"] == "'\n=HYPERLINK(\"http://evil\")" and row["trigger"] == "' @SUM(A1)"
    assert row["mitigation"] == "'-5+cmd" and row["contingency"] == "-5"
    assert (row["probability"], row["impact"], row["score"]) == ("4", "5", "20")


# --- uploaded files -----------------------------------------------------------------------

def _age(path, hours):
    import os
    import time
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_uploads_check_finds_orphans_unfinished_uploads_and_missing_files(app, client, login, tmp_path):
    import io
    import uuid

    from portal.cli import uploads_check
    from portal.documents.models import DocumentVersion
    from portal.helpdesk.models import Attachment
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    member = login("member")
    project = make_project(members=[member])
    assert client.post(f"/projects/{project.code}/documents/", content_type="multipart/form-data",
                       data={"folder": "plans", "note": "", "file": (io.BytesIO(b"plan"), "plan.txt")}).status_code == 303
    assert client.post("/helpdesk/new", content_type="multipart/form-data",
                       data={"subject": "Which template?", "body": "Please help.", "category": "templates",
                             "priority": "normal", "attachment": (io.BytesIO(b"shot"), "shot.png")}).status_code == 303
    document, attachment = DocumentVersion.get(), Attachment.get()
    for name in (document.stored_name, attachment.stored_name):
        _age(folder / name, 48)
    runner = app.test_cli_runner()
    clean = runner.invoke(uploads_check)
    assert clean.exit_code == 0 and "2 file(s), 2 record(s); 0 orphan(s), 0 unfinished, 0 record(s)" in clean.output

    # What a worker killed mid-upload leaves: a stored file with no record, a half-written temporary file.
    orphan, unfinished, young = folder / uuid.uuid4().hex, folder / f".{uuid.uuid4().hex}.part", folder / uuid.uuid4().hex
    for path in (orphan, unfinished, young):
        path.write_bytes(b"left behind")
    _age(orphan, 2)
    _age(unfinished, 2)
    (folder / "README.txt").write_text("not ours")  # a file the portal did not name is never touched
    (folder / attachment.stored_name).unlink()
    found = runner.invoke(uploads_check)
    assert found.exit_code == 1
    assert f"orphan      {orphan.name}" in found.output and f"unfinished  {unfinished.name}" in found.output
    assert f"help-desk attachment {attachment.id}" in found.output and "(shot.png)" in found.output
    assert young.name not in found.output and "README" not in found.output  # a young file may be an upload in flight
    assert orphan.exists() and unfinished.exists()  # listing deletes nothing

    deleted = runner.invoke(uploads_check, ["--delete"])
    assert deleted.exit_code == 1 and "Removed 2 file(s)." in deleted.output
    assert not orphan.exists() and not unfinished.exists()
    assert young.exists() and (folder / "README.txt").exists() and (folder / document.stored_name).exists()
    assert DocumentVersion.select().count() == 1 and Attachment.select().count() == 1  # records are never removed

    (folder / attachment.stored_name).write_bytes(b"shot")  # restored from a backup
    assert runner.invoke(uploads_check).exit_code == 0


def test_uploads_check_on_a_folder_that_does_not_exist_yet(app, tmp_path):
    from portal.cli import uploads_check
    app.config["UPLOAD_DIR"] = str(tmp_path / "never-created")
    result = app.test_cli_runner().invoke(uploads_check)
    assert result.exit_code == 0 and "0 file(s), 0 record(s)" in result.output


def test_a_failed_record_leaves_no_file_behind(app, login, tmp_path):
    """The check relies on it: a file whose record could not be written is removed at once."""
    import io

    from werkzeug.datastructures import FileStorage

    from portal.documents import services as documents
    folder = tmp_path / "uploads"
    member = login("member")
    project = make_project(members=[member])
    upload = FileStorage(io.BytesIO(b"plan"), filename="plan.txt")
    with pytest.raises(AttributeError):
        documents.upload_document(project, None, "plans", upload, "", str(folder))  # the record cannot be written
    assert not folder.exists() or not any(folder.iterdir())


def test_taking_a_ticket_someone_just_changed_answers_409_not_500(client, login, monkeypatch):
    """A one-click action refused by the service (here: another agent saved the ticket between
    loading and taking it) gets its own status and message, never a 500."""
    from portal.helpdesk import views
    from portal.helpdesk.models import Ticket
    from tests.factories import make_ticket
    load_ticket = views.load_ticket

    def load_then_someone_else_saves(*args, **kwargs):
        ticket = load_ticket(*args, **kwargs)
        Ticket.update(version=Ticket.version + 1).where(Ticket.id == ticket.id).execute()
        return ticket

    login("pmo")
    ticket = make_ticket()
    monkeypatch.setattr(views, "load_ticket", load_then_someone_else_saves)
    response = client.post(f"/helpdesk/{ticket.number}/take")
    assert response.status_code == 409
    assert "Changed by someone else" in response.get_data(as_text=True)
    assert Ticket.get_by_id(ticket.id).assignee_id is None


def test_a_knowledge_file_name_longer_than_any_file_system_allows_is_not_found(client, login):
    login("member")
    assert client.get("/kb/files/" + "7" * 400).status_code == 404
    assert client.get("/kb/files/templates/" + "a" * 300 + ".docx").status_code == 404


@pytest.mark.parametrize("blank", [" ", "\t", "  \n "])
def test_a_required_number_given_as_blanks_is_missing_not_a_500(client, login, blank):
    """Blanks in a required whole-number field get the field's message (the compliance threshold here)."""
    from portal.compliance.services import checks

    login("pmo")
    key = checks()[0].key
    response = client.post(f"/compliance/checks/{key}", data={"threshold": blank, "version": "1"})
    assert response.status_code == 422
    assert "Give a whole number." in response.get_data(as_text=True)
