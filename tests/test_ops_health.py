"""/healthz and /readyz: each state an operator meets, answered as JSON without a traceback."""
import io

import pytest

from portal import create_app
from portal.db import db
from portal.schema import schema_state
from portal.system import UPLOAD_FOLDER_ID, set_value
from portal.uploads import MARKER, mark_folder
from tests.factories import make_project, make_user

DEAD_DATABASE = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1


@pytest.fixture
def shared_folder(app, tmp_path):
    """A marked upload folder whose id is in the database: the state `portal db upgrade` leaves."""
    folder = tmp_path / "shared-uploads"
    mark_folder(str(folder), "folder-id-1")
    set_value(UPLOAD_FOLDER_ID, "folder-id-1")
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def test_ready_when_database_schema_and_folder_are_in_order(client, shared_folder):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert {name: c["ok"] for name, c in body["checks"].items()} == {"database": True, "migrations": True,
                                                                      "uploads": True}
    assert response.headers["Content-Type"].startswith("application/json")


def test_database_down_is_503_json_and_healthz_stays_up(tmp_path, capsys):
    app = create_app({"DATABASE_URL": DEAD_DATABASE, "SECRET_KEY": "x", "UPLOAD_DIR": str(tmp_path)})
    client = app.test_client()
    for _ in range(3):
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "not ready" and body["checks"]["database"]["ok"] is False
        assert "OperationalError" in body["checks"]["database"]["detail"]
    live = client.get("/healthz")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # One line for the change of state, not one per probe.
    assert err.count("Not ready") == 1


def test_missing_upload_folder_is_503(client, shared_folder):
    shared_folder.rename(shared_folder.with_name("gone"))
    response = client.get("/readyz")
    assert response.status_code == 503
    uploads = response.get_json()["checks"]["uploads"]
    assert uploads["ok"] is False and "does not exist" in uploads["detail"]


def test_folder_without_the_marker_is_not_the_shared_one(client, shared_folder):
    (shared_folder / MARKER).unlink()  # an empty mount point: the share is not mounted
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "not the shared folder" in response.get_json()["checks"]["uploads"]["detail"]


def test_unknown_newer_migration_is_503(client, shared_folder):
    db.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('0099_from_the_future', '2030-01-01')")
    response = client.get("/readyz")
    assert response.status_code == 503
    migrations = response.get_json()["checks"]["migrations"]
    assert migrations["ok"] is False and "0099_from_the_future" in migrations["detail"]
    assert schema_state().unknown == ["0099_from_the_future"]


def test_upload_refused_with_a_clear_message_when_the_share_is_missing(client, login, shared_folder, capsys):
    (shared_folder / MARKER).unlink()
    manager = login("manager")
    project = make_project(manager=manager)
    response = client.post(f"/projects/{project.code}/documents/", data={
        "folder": "plans", "note": "", "file": (io.BytesIO(b"plan"), "plan.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file store is not available" in response.get_data(as_text=True)
    assert [p.name for p in shared_folder.iterdir()] == []  # nothing written to the unmounted folder
    assert "Upload refused" in capsys.readouterr().err


def test_download_of_a_missing_file_is_404_and_logged(client, login, shared_folder, capsys):
    manager = login("manager")
    project = make_project(manager=manager)
    client.post(f"/projects/{project.code}/documents/", data={
        "folder": "plans", "note": "", "file": (io.BytesIO(b"plan"), "plan.txt")},
        content_type="multipart/form-data")
    stored = [p for p in shared_folder.iterdir() if p.name != MARKER]
    assert len(stored) == 1
    stored[0].unlink()
    from portal.documents.models import Document
    doc = Document.select().first()
    response = client.get(f"/projects/{project.code}/documents/{doc.id}/download")
    assert response.status_code == 404
    assert "Stored file missing" in capsys.readouterr().err


def test_healthz_needs_no_session_nor_database(client):
    make_user()
    assert client.get("/healthz").get_json() == {"status": "ok"}
