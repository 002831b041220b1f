"""Closing under governance: the PMO's sign-off when the rules (data) flag high risks, open issues or no benefits."""
import pytest

from portal.closure import services as closure
from portal.closure.models import ClosureSignoff
from portal.errors import InvalidInput, NotAllowed
from portal.lessons.models import Benefit
from portal.projects.models import Project
from portal.projects.rules import DEFAULT_RULES, save_rules
from portal.projects.services import change_state
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.risk_helpers import make_issue, make_risk

LESSON = {"category": "suppliers", "went_well": "Calls", "to_improve": "Contracts", "recommendation": "Earlier"}


@pytest.fixture
def world(app):
    project = make_project()
    return {"project": project, "manager": project.manager, "pmo": make_user("pmo")}


def test_the_reasons_follow_the_rules(world):
    project = world["project"]
    assert closure.reasons(project) == ["no benefits were recorded"]
    Benefit.create(project=project, description="Faster")
    make_risk(project, probability=4, impact=4)
    make_issue(project)
    assert closure.reasons(project) == ["1 open risk(s) scored 15 or more", "1 open issue(s)"]
    save_rules({**DEFAULT_RULES, "closure": {"signoff_when": ["open_issues"], "high_risk_score": 15}}, world["pmo"])
    assert closure.reasons(project) == ["1 open issue(s)"]


def test_the_manager_cannot_close_without_the_sign_off(world):
    project = world["project"]
    make_issue(project)
    with pytest.raises(InvalidInput) as exc:
        change_state(project, world["manager"], "closed", "Done")
    assert "sign-off" in exc.value.errors["comment"]
    assert Project.get_by_id(project.id).state == "active"
    with pytest.raises(NotAllowed):
        closure.sign_off(project, world["manager"], "Myself")
    closure.sign_off(project, world["pmo"], "Issue goes to operations")
    change_state(project, world["manager"], "closed", "Done")
    assert Project.get_by_id(project.id).state == "closed"


def test_the_pmo_closing_signs_off_itself(world):
    change_state(world["project"], world["pmo"], "closed", "Stopped by the board")
    assert ClosureSignoff.get().signed_by_id == world["pmo"].id


def test_nothing_flagged_needs_no_sign_off(world):
    Benefit.create(project=world["project"], description="Faster")
    change_state(world["project"], world["manager"], "closed", "Done")
    assert not ClosureSignoff.select().exists()


def test_the_report_and_the_pages(client, world):
    project = world["project"]
    make_risk(project, title="Handover canary", probability=5, impact=4)
    sign_in(client, world["manager"])
    page = client.get(f"/projects/{project.code}/closure").get_data(as_text=True)
    assert "Closing needs the PMO's sign-off" in page and "Handover canary" in page and "Ask the PMO" in page
    assert "@page" not in page  # the print rules live in the stylesheet (no inline styles)
    refused = client.post(f"/projects/{project.code}/lessons/close", data={"comment": "Done", **LESSON})
    assert refused.status_code == 422 and "sign-off" in refused.get_data(as_text=True)
    assert client.post(f"/projects/{project.code}/closure/signoff", data={"comment": "fine"}).status_code == 403
    assert client.post(f"/projects/{project.code}/closure/ask").status_code == 303
    sign_in(client, world["pmo"])
    assert client.post(f"/projects/{project.code}/closure/signoff", data={"comment": ""}).status_code == 422
    assert client.post(f"/projects/{project.code}/closure/signoff", data={"comment": "Risk to ops"}).status_code == 303
    sign_in(client, world["manager"])
    assert client.post(f"/projects/{project.code}/lessons/close", data={"comment": "Done", **LESSON}).status_code == 303
    page = client.get(f"/projects/{project.code}/closure").get_data(as_text=True)
    assert "Handover canary" in page and "Contracts" in page
    sign_in(client, make_user("member"))
    assert client.get(f"/projects/{project.code}/closure").status_code == 404
