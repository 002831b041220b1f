"""The project activity feed (from the audit trail) and the person page."""
import io

import pytest

from portal.projects.services import add_member, change_state
from tests.conftest import sign_in
from tests.factories import make_project, make_ticket, make_user


@pytest.fixture
def busy_project(app, client, tmp_path):
    """One change of each kind, made through the pages and services people use."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    manager = make_user("manager", name="Marta Manager")
    member = make_user("member", name="Nils Member")
    project = make_project(manager=manager)
    add_member(project, manager, member.id)
    sign_in(client, manager)
    base = f"/projects/{project.code}"
    client.post(f"{base}/risks/new", data={"title": "Vendor delay", "category": "supplier", "probability": 3,
                                           "impact": 4, "owner": member.id, "response": "mitigate"})
    client.post(f"{base}/issues/new", data={"title": "Server down", "priority": 4, "owner": member.id,
                                            "status": "open"})
    client.post(f"{base}/documents/", data={"file": (io.BytesIO(b"plan"), "plan.txt"), "folder": "plans"},
                content_type="multipart/form-data")
    client.post(f"{base}/comments/project/{project.id}/", data={"body": "Kick-off went fine"})
    change_state(project, manager, "on_hold", "Waiting for budget")
    return project, manager, member


def test_feed_shows_each_kind_of_change_once(app, client, busy_project):
    project, manager, member = busy_project
    page = client.get(f"/projects/{project.code}/activity").get_data(as_text=True)
    page = page[page.index('<ol class="timeline activity">'):]
    for text in ("Added Nils Member to the team", "Risk R-1 added", "Issue I-1 added", "plan.txt version 1",
                 "Commented on", "Active → On hold: Waiting for budget"):
        assert page.count(text) == 1, text
    assert page.index("On hold") < page.index("Added Nils Member")  # newest first


def test_feed_filters_by_kind_and_serves_a_fragment(app, client, hx, busy_project):
    project, *_ = busy_project
    body = hx.get(f"/projects/{project.code}/activity?kind=document").get_data(as_text=True)
    assert "plan.txt" in body and "Risk R-" not in body and "<html" not in body


def test_feed_is_404_for_outsiders(app, client, hx, busy_project):
    project, *_ = busy_project
    sign_in(client, make_user("member"))
    assert client.get(f"/projects/{project.code}/activity").status_code == 404
    assert hx.get(f"/projects/{project.code}/activity").status_code == 404


def test_person_page_for_self_manager_and_pmo_only(app, client, busy_project):
    project, manager, member = busy_project
    make_ticket(requester=member, subject="Where is the charter template?")
    for viewer in (member, manager, make_user("pmo")):
        sign_in(client, viewer)
        page = client.get(f"/people/{member.id}").get_data(as_text=True)
        assert project.name in page and "Vendor delay" in page and "Server down" in page, viewer.role
    sign_in(client, member)
    assert "Where is the charter template?" in client.get(f"/people/{member.id}").get_data(as_text=True)
    for viewer in (make_user("member"), make_user("manager"), make_user("executive")):
        sign_in(client, viewer)
        assert client.get(f"/people/{member.id}").status_code == 404, viewer.role
    assert client.get("/people/999999").status_code == 404


def test_person_page_shows_recent_activity(app, client, busy_project):
    project, manager, member = busy_project
    page = client.get(f"/people/{manager.id}").get_data(as_text=True)
    assert "Waiting for budget" in page
