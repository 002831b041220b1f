"""Project documents: versions, downloads only for those who see the project, size and emptiness limits."""
import io

import pytest

from portal.audit.models import AuditEvent
from portal.documents.models import Document, DocumentVersion
from tests.conftest import sign_in
from tests.factories import make_project, make_user


def _upload(client, project, name="plan.txt", content=b"version one", note="", folder="plans", **kwargs):
    return client.post(f"/projects/{project.code}/documents/",
                       data={"file": (io.BytesIO(content), name), "folder": folder, "note": note},
                       content_type="multipart/form-data", **kwargs)


@pytest.fixture
def team(app, client, tmp_path):
    """A project with a member signed in, and an outsider on another project; uploads in a folder of its own."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    member = make_user("member")
    project = make_project(members=[member])
    outsider = make_user("member")
    make_project(members=[outsider])
    sign_in(client, member)
    return project, member, outsider


def test_same_name_creates_a_new_version_and_latest_is_the_default_download(app, client, team):
    project, member, _ = team
    assert _upload(client, project, content=b"first draft").status_code == 303
    response = _upload(client, project, content=b"second draft", note="Dates moved")
    assert response.status_code == 303
    doc = Document.get()
    assert doc.latest == 2 and DocumentVersion.select().count() == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "v2" in page and "v1" in page and "Dates moved" in page and member.name in page
    assert client.get(f"/projects/{project.code}/documents/{doc.id}/download").data == b"second draft"
    old = client.get(f"/projects/{project.code}/documents/{doc.id}/v1/download")
    assert old.data == b"first draft"
    assert old.headers["Content-Disposition"].startswith("attachment")
    assert old.headers["X-Content-Type-Options"] == "nosniff"


def test_same_name_in_another_folder_is_another_document(app, client, team):
    project, _, _ = team
    _upload(client, project, folder="plans")
    _upload(client, project, folder="meetings")
    assert Document.select().count() == 2


def test_member_of_another_project_gets_404_everywhere(app, client, hx, team):
    project, _, outsider = team
    _upload(client, project, content=b"secret plan")
    doc = Document.get()
    sign_in(client, outsider)
    for url in (f"/projects/{project.code}/documents/", f"/projects/{project.code}/documents/{doc.id}",
                f"/projects/{project.code}/documents/{doc.id}/download",
                f"/projects/{project.code}/documents/{doc.id}/v1/download"):
        assert client.get(url).status_code == 404, url
        assert hx.get(url).status_code == 404, url
    assert _upload(client, project).status_code == 404


def test_document_id_under_another_project_is_404(app, client, team):
    project, member, _ = team
    _upload(client, project)
    doc = Document.get()
    mine = make_project(members=[member])
    assert client.get(f"/projects/{mine.code}/documents/{doc.id}/download").status_code == 404


def test_executive_reads_but_cannot_upload(app, client, team):
    project, _, _ = team
    _upload(client, project, content=b"for the board")
    sign_in(client, make_user("executive"))
    doc = Document.get()
    assert client.get(f"/projects/{project.code}/documents/{doc.id}/download").data == b"for the board"
    assert _upload(client, project, content=b"x").status_code == 403
    assert DocumentVersion.select().count() == 1


def test_fragment_lists_only_the_documents(app, client, hx, team):
    project, _, _ = team
    _upload(client, project, name="budget.xlsx", content=b"numbers")
    body = hx.get(f"/projects/{project.code}/documents/").get_data(as_text=True)
    assert "budget.xlsx" in body and "<html" not in body


def test_empty_and_wrong_type_uploads_are_refused_and_leave_nothing(app, client, team, tmp_path):
    project, _, _ = team
    empty = _upload(client, project, content=b"")
    assert empty.status_code == 422 and "The file is empty." in empty.get_data(as_text=True)
    html = _upload(client, project, name="page.html", content=b"<script>alert(1)</script>")
    assert html.status_code == 422 and "office document" in html.get_data(as_text=True)
    assert Document.select().count() == 0
    upload_dir = app.config["UPLOAD_DIR"]
    import os
    assert not os.path.exists(upload_dir) or os.listdir(upload_dir) == []


def test_oversize_gets_413_with_the_document_limit(app, client, team):
    project, _, _ = team
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.config["MAX_DOCUMENT_LENGTH"] = 2 * 1024 * 1024
    response = _upload(client, project, content=b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "(2 MB in one go)" in response.get_data(as_text=True)
    assert Document.select().count() == 0


def test_documents_may_exceed_the_general_upload_limit(app, client, team):
    project, _, _ = team
    app.config["MAX_CONTENT_LENGTH"] = 1024
    app.config["MAX_DOCUMENT_LENGTH"] = 8192
    assert _upload(client, project, content=b"x" * 4096).status_code == 303
    assert Document.get().size == 4096


def test_failed_database_write_removes_the_stored_file(app, client, team, monkeypatch):
    project, _, _ = team
    import os

    from portal.documents import services
    monkeypatch.setattr(services, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        _upload(client, project)
    assert Document.select().count() == 0
    assert [f for f in os.listdir(app.config["UPLOAD_DIR"])] == []


def test_delete_asks_first_and_keeps_the_history(app, client, team):
    project, _, _ = team
    _upload(client, project, name="old.txt")
    doc = Document.get()
    page = client.get(f"/projects/{project.code}/documents/{doc.id}").get_data(as_text=True)
    assert 'data-confirm="Delete old.txt?' in page
    assert client.post(f"/projects/{project.code}/documents/{doc.id}/delete").status_code == 303
    listing = client.get(f"/projects/{project.code}/documents/").get_data(as_text=True)
    assert "Deleted documents (1)" in listing
    assert AuditEvent.select().where(AuditEvent.action == "document.delete").count() == 1
    assert client.get(f"/projects/{project.code}/documents/{doc.id}/v1/download").status_code == 200
    _upload(client, project, name="old.txt", content=b"fresh start")
    assert Document.select().where(Document.deleted_at.is_null()).get().latest == 1


def test_new_charter_from_template_is_version_one(app, client, team):
    project, _, _ = team
    import pathlib
    folder = pathlib.Path(app.config["KNOWLEDGE_DIR"]) / "templates" / "files"
    folder.mkdir(parents=True)
    (folder / "project-charter.txt").write_text("Charter: objectives, scope, sponsor")
    page = client.get(f"/projects/{project.code}/documents/").get_data(as_text=True)
    assert "project-charter.txt" in page
    response = client.post(f"/projects/{project.code}/documents/from-template",
                           data={"template": "project-charter.txt"})
    assert response.status_code == 303
    doc = Document.get()
    assert (doc.name, doc.folder, doc.latest) == ("project-charter.txt", "management", 1)
    assert client.get(f"/projects/{project.code}/documents/{doc.id}/download").data.startswith(b"Charter")
    again = client.post(f"/projects/{project.code}/documents/from-template", data={"template": "project-charter.txt"})
    assert again.status_code == 422
    assert client.post(f"/projects/{project.code}/documents/from-template",
                       data={"template": "../standards/x.md"}).status_code == 422
