"""Phases and gates: criteria as data, who asks and decides, a phase changed only by a passed gate, history kept."""
import datetime
import json

import pytest

from portal.audit.models import AuditEvent
from portal.compliance.services import evaluate
from portal.documents.models import Document
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.gates import services as gates
from portal.gates.models import GateReview, ProjectPhase
from portal.gates.phases import DEFAULT_MODEL, ModelError, current_phases, save_model, validate_model
from portal.projects.models import Project
from tests.conftest import sign_in
from tests.factories import make_project, make_user

SIMPLE = {"phases": [{"key": "start", "name": "Start", "max_days": 30}, {"key": "build", "name": "Build"},
                     {"key": "end", "name": "Wrap up"}],
          "gates": {"build": {"checklist": ["Kick-off held"], "documents": ["plans"], "fields": ["benefits"],
                              "compliance": [], "sponsor_decides": True}}}


@pytest.fixture
def world(app):
    pmo, sponsor, deputy, viewer = make_user("pmo"), make_user("executive"), make_user("manager"), make_user("member")
    save_model(SIMPLE, pmo, "simple")
    project = make_project(sponsor=sponsor, benefits="", members=[(deputy, "deputy"), (viewer, "viewer")],
                           start_date=datetime.date.today() - datetime.timedelta(days=40))
    return {"project": project, "pmo": pmo, "sponsor": sponsor, "deputy": deputy, "viewer": viewer,
            "manager": project.manager}


def _ready(project):
    Document.create(project=project, folder="plans", name="Plan.pdf", live_key="plan.pdf")
    Project.update(benefits="Faster invoices").where(Project.id == project.id).execute()
    return Project.get_by_id(project.id)


def test_a_project_starts_in_the_first_phase(world):
    assert current_phases([world["project"].id])[world["project"].id]["name"] == "Start"


def test_the_gate_refuses_while_criteria_are_unmet(world):
    project = world["project"]
    with pytest.raises(InvalidInput) as exc:
        gates.request_review(project, world["manager"], ["Kick-off held"])
    message = exc.value.errors["note"]
    assert "Plans and schedules" in message and "Expected benefits" in message
    project = _ready(project)
    with pytest.raises(InvalidInput) as exc:
        gates.request_review(project, world["manager"], [])  # the checklist is not ticked
    assert "Kick-off held" in exc.value.errors["note"]
    assert not GateReview.select().exists()


def test_passing_the_gate_moves_the_phase_and_keeps_history(world):
    project = _ready(world["project"])
    review = gates.request_review(project, world["deputy"], ["Kick-off held"], "Ready")
    with pytest.raises(Conflict):
        gates.request_review(project, world["manager"], ["Kick-off held"])
    assert current_phases([project.id])[project.id]["name"] == "Start"  # asking moves nothing
    with pytest.raises(NotAllowed):
        gates.decide(project, world["deputy"], review.id, "pass", "", review.version)
    gates.decide(project, world["sponsor"], review.id, "pass", "", review.version)  # the model lets the sponsor
    assert current_phases([project.id])[project.id]["name"] == "Build"
    rows = list(ProjectPhase.select().where(ProjectPhase.project == project.id).order_by(ProjectPhase.id))
    assert [(r.phase_name, r.left_at is None) for r in rows] == [("Start", False), ("Build", True)]
    assert {"gate.request", "gate.passed"} <= {e.action for e in AuditEvent.select()}
    # A new model renames the phases: the history keeps the names the project went through.
    renamed = json.loads(json.dumps(SIMPLE))
    renamed["phases"][1]["name"] = "Construct"
    save_model(renamed, world["pmo"], "renamed")
    assert [r.phase_name for r in ProjectPhase.select().where(ProjectPhase.project == project.id)
            .order_by(ProjectPhase.id)] == ["Start", "Build"]
    assert current_phases([project.id])[project.id]["name"] == "Build"


def test_return_and_reject_need_a_comment_and_move_nothing(world):
    project = _ready(world["project"])
    review = gates.request_review(project, world["manager"], ["Kick-off held"])
    with pytest.raises(InvalidInput):
        gates.decide(project, world["pmo"], review.id, "return", "", review.version)
    gates.decide(project, world["pmo"], review.id, "return", "Plan lacks dates", review.version)
    assert GateReview.get_by_id(review.id).state == "returned"
    assert current_phases([project.id])[project.id]["name"] == "Start"
    again = gates.request_review(project, world["manager"], ["Kick-off held"])
    gates.decide(project, world["pmo"], again.id, "reject", "Stop here", again.version)
    assert not ProjectPhase.select().exists()


def test_only_the_pmo_decides_when_the_model_does_not_name_the_sponsor(world):
    model = json.loads(json.dumps(SIMPLE))
    model["gates"]["build"]["sponsor_decides"] = False
    save_model(model, world["pmo"])
    project = _ready(world["project"])
    review = gates.request_review(project, world["manager"], ["Kick-off held"])
    with pytest.raises(NotAllowed):
        gates.decide(project, world["sponsor"], review.id, "pass", "", review.version)


def test_viewers_neither_ask_nor_decide(world):
    project = _ready(world["project"])
    with pytest.raises(NotAllowed):
        gates.request_review(project, world["viewer"], ["Kick-off held"])


@pytest.mark.parametrize("bad", [
    {"phases": [{"key": "only", "name": "Only"}]},
    {"phases": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]},
    {"phases": [{"key": "a", "name": "A"}, {"key": "b", "name": "B", "max_days": -3}]},
    {"phases": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}], "gates": {"a": {}}},
    {"phases": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}], "gates": {"b": {"documents": ["secret"]}}},
    {"phases": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}], "gates": {"b": {"compliance": ["nope"]}}},
    [],
])
def test_a_bad_phase_model_is_refused_with_reasons(app, bad):
    with pytest.raises(ModelError) as exc:
        validate_model(bad)
    assert exc.value.messages


def test_the_shipped_model_is_valid():
    assert [p["name"] for p in validate_model(DEFAULT_MODEL)["phases"]] == ["Initiate", "Plan", "Execute", "Close"]


def test_a_phase_overstayed_fails_compliance(world):
    project = world["project"]  # 40 days in Start, which allows 30
    [row] = evaluate(Project.select().where(Project.id == project.id), datetime.date.today())
    result = {c.key: (passed, reason) for c, passed, reason in row["results"]}["phase_duration"]
    assert result[0] is False and "allows 30" in result[1]


def test_the_pages(client, world):
    project = _ready(world["project"])
    sign_in(client, world["viewer"])
    page = client.get(f"/projects/{project.code}/gates/").get_data(as_text=True)
    assert "Start" in page and "Request gate review" not in page
    assert client.post(f"/projects/{project.code}/gates/", data={"item": "Kick-off held"}).status_code == 403
    sign_in(client, world["manager"])
    assert client.post(f"/projects/{project.code}/gates/", data={}).status_code == 422
    assert client.post(f"/projects/{project.code}/gates/", data={"item": "Kick-off held"}).status_code == 303
    review = GateReview.get()
    sign_in(client, world["pmo"])
    assert project.code in client.get("/gates/").get_data(as_text=True)
    assert client.post(f"/projects/{project.code}/gates/{review.id}/reject",
                       data={"version": review.version, "comment": ""}).status_code == 422
    assert client.post(f"/projects/{project.code}/gates/{review.id}/pass",
                       data={"version": review.version}).status_code == 303
    assert 'class="phase"' in client.get("/dashboard/").get_data(as_text=True)
    assert "Build" in client.get("/dashboard/").get_data(as_text=True)
    bad = client.post("/gates/model", data={"body": "{not json", "comment": ""})
    assert bad.status_code == 422 and "Not valid JSON" in bad.get_data(as_text=True)
    sign_in(client, world["manager"])
    assert client.get("/gates/model").status_code == 403


def test_the_demo_adds_phases_gates_decisions_changes_and_roles(app):
    import random

    from portal.changes.models import ChangeRequest
    from portal.decisions.models import Decision
    from portal.gates.demo import demo_governance
    from portal.projects.models import ProjectMember
    make_user("pmo")
    for _ in range(8):
        make_project(members=[make_user("member"), make_user("member")])
    line = demo_governance("large", random.Random(3))
    assert "phase(s)" in line
    assert ProjectPhase.select().where(ProjectPhase.left_at.is_null()).count() == 8
    assert Decision.select().where(Decision.status == "pending").exists() and ChangeRequest.select().exists()
    assert {m.role for m in ProjectMember.select()} >= {"deputy", "viewer", "contributor"}
    assert demo_governance("large", random.Random(3)).endswith("already there (or no projects)")
