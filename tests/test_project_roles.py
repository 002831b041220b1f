"""Roles on a project's team: what a manager, deputy, contributor and viewer may do, on both databases."""
import pytest

from portal.audit.models import AuditEvent
from portal.permissions import can
from portal.projects.models import ProjectMember
from portal.projects.workflow import may_transition
from tests.conftest import sign_in
from tests.factories import make_project, make_user


@pytest.fixture
def team(app):
    """One active project with a person in every team role, an outsider, and the PMO."""
    people = {"deputy": make_user("manager"), "contributor": make_user("member"), "viewer": make_user("member"),
              "outsider": make_user("member"), "pmo": make_user("pmo"), "executive": make_user("executive")}
    project = make_project(members=[(people["deputy"], "deputy"), people["contributor"],
                                    (people["viewer"], "viewer")])
    people["manager"] = project.manager
    return project, people


ACTIONS = ["projects.view", "projects.edit", "projects.team", "risks.write", "risks.escalate", "collab.write",
           "milestones.edit", "status.submit", "resources.book", "benefits.record"]
# What each person may do on the project; the executive reads everything and changes nothing.
ALLOWED = {
    "manager": set(ACTIONS),
    "deputy": set(ACTIONS),
    "contributor": {"projects.view", "risks.write", "collab.write"},
    "viewer": {"projects.view"},
    "outsider": set(),
    "executive": {"projects.view"},
    "pmo": set(ACTIONS),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_the_permission_table_follows_the_team_role(team, who):
    project, people = team
    granted = {action for action in ACTIONS if can(people[who], action, project)}
    assert granted == ALLOWED[who]


@pytest.mark.parametrize("who,closes,holds", [("manager", True, True), ("deputy", False, True),
                                              ("contributor", False, False), ("viewer", False, False),
                                              ("pmo", True, True)])
def test_only_the_manager_and_the_pmo_close_a_project(team, who, closes, holds):
    project, people = team
    assert may_transition(people[who], project, "closed") is closes
    assert may_transition(people[who], project, "on_hold") is holds


def test_a_new_member_is_a_contributor_unless_told(app):
    person = make_user("member")
    project = make_project()
    project_member = ProjectMember.create(project=project, user=person)
    assert project_member.role == "contributor"
    assert can(person, "risks.write", project)


def test_the_team_page_shows_and_changes_roles_with_an_audit_entry(client, team):
    project, people = team
    sign_in(client, people["manager"])
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "Deputy" in page and "Viewer" in page and "set role" in page
    response = client.post(f"/projects/{project.code}/members/{people['viewer'].id}/role", data={"role": "contributor"})
    assert response.status_code == 303
    row = ProjectMember.get((ProjectMember.project == project.id) & (ProjectMember.user == people["viewer"].id))
    assert row.role == "contributor"
    event = AuditEvent.get(AuditEvent.action == "project.member_role")
    assert event.project_id == project.id and '"viewer"' in event.before and '"contributor"' in event.after
    assert can(people["viewer"], "risks.write", project)


def test_a_role_outside_the_list_is_refused_with_a_message(client, team):
    project, people = team
    sign_in(client, people["manager"])
    response = client.post(f"/projects/{project.code}/members/{people['viewer'].id}/role", data={"role": "manager"})
    assert response.status_code == 422
    assert ProjectMember.get(ProjectMember.user == people["viewer"].id).role == "viewer"


def test_adding_someone_as_viewer(client, team):
    project, people = team
    sign_in(client, people["deputy"])  # a deputy staffs the team as the manager does
    response = client.post(f"/projects/{project.code}/members", data={"user": people["outsider"].id, "role": "viewer"})
    assert response.status_code == 303
    assert ProjectMember.get(ProjectMember.user == people["outsider"].id).role == "viewer"
    assert AuditEvent.get(AuditEvent.action == "project.member_add").summary.endswith("as viewer")


@pytest.mark.parametrize("who", ["contributor", "viewer", "outsider"])
def test_only_the_manager_deputies_and_pmo_change_roles(client, team, who):
    project, people = team
    sign_in(client, people[who])
    response = client.post(f"/projects/{project.code}/members/{people['viewer'].id}/role", data={"role": "deputy"})
    assert response.status_code == (404 if who == "outsider" else 403)
    assert ProjectMember.get(ProjectMember.user == people["viewer"].id).role == "viewer"


def test_a_viewer_reads_but_cannot_edit(client, team):
    project, people = team
    sign_in(client, people["viewer"])
    assert client.get(f"/projects/{project.code}").status_code == 200
    assert client.get(f"/projects/{project.code}/risks/").status_code == 200
    assert client.get(f"/projects/{project.code}/risks/new").status_code == 403
    assert client.get(f"/projects/{project.code}/edit").status_code == 403
    assert client.get(f"/projects/{project.code}/issues/new").status_code == 403
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "set role" not in page and "Add to team" not in page


def test_a_deputy_sees_the_load_of_people_booked_on_the_project(app, team):
    import datetime

    from portal.resources.models import Allocation
    from portal.resources.services import may_see_person
    project, people = team
    Allocation.create(person=people["contributor"], project=project, percent=50,
                      start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 3, 31))
    assert may_see_person(people["deputy"], people["contributor"].id)
    assert not may_see_person(people["viewer"], people["contributor"].id)
