"""Executive approval: its turn after the PMO review, approve/return/reject, conflicts of interest, the queue."""
import datetime
from decimal import Decimal

import pytest

from portal.errors import InvalidInput
from portal.projects.models import Approval, Project, Transition
from portal.projects.review import awaiting_executive, decide, kinds_user_can_give, score_request
from portal.projects.rules import DEFAULT_RULES, current_rules, dump_toml, parse_toml, save_rules
from portal.projects.services import create_request, submit_request
from portal.projects.workflow import NotAllowed
from tests.factories import make_user

SHEET = {"strategic_fit": 4, "value": 4, "risk": 2, "effort": 3}


def _big_request(manager, sponsor=None, budget=400000):
    values = {"name": "Data platform", "summary": "One place for data.", "manager": manager.id,
              "department": "IT", "category": "Process improvement", "start_date": datetime.date(2026, 3, 1),
              "end_date": datetime.date(2026, 9, 30), "budget": Decimal(budget), "reporting_cadence": "monthly"}
    if sponsor:
        values["sponsor"] = sponsor.id
    return submit_request(create_request(values, manager), manager)


def test_executive_cannot_act_before_the_pmo_review(app):
    manager, executive = make_user("manager"), make_user("executive")
    project = _big_request(manager)
    assert kinds_user_can_give(executive, project) == []
    for decision, comment in (("approve", ""), ("return", "Add a plan"), ("reject", "No")):
        with pytest.raises(NotAllowed, match="after the PMO review"):
            decide(project, executive, decision, comment)
    assert Project.get_by_id(project.id).state == "submitted"
    assert Approval.select().count() == 0
    assert awaiting_executive(executive).count() == 0


def test_after_the_pmo_review_the_executive_may_return_with_a_reason(app):
    manager, pmo, executive = make_user("manager"), make_user("pmo"), make_user("executive")
    project = _big_request(manager)
    score_request(project, pmo, SHEET)
    assert awaiting_executive(executive).count() == 0  # scored, but the PMO review is not given
    decide(project, pmo, "approve", "Fits")
    assert [p.id for p in awaiting_executive(executive)] == [project.id]
    assert kinds_user_can_give(executive, Project.get_by_id(project.id)) == ["executive"]
    with pytest.raises(InvalidInput):
        decide(project, executive, "return", "  ")
    decide(project, executive, "return", "Phase the budget")
    fresh = Project.get_by_id(project.id)
    assert fresh.state == "returned"
    last = Transition.select().order_by(Transition.id.desc()).first()
    assert (last.actor_id, last.comment) == (executive.id, "Phase the budget")
    assert awaiting_executive(executive).count() == 0


def test_executive_rejects_after_the_pmo_review(app):
    manager, pmo, executive = make_user("manager"), make_user("pmo"), make_user("executive")
    project = _big_request(manager)
    decide(project, pmo, "approve")
    decide(project, executive, "reject", "Not this year")
    assert Project.get_by_id(project.id).state == "rejected"


def test_an_executive_without_an_approval_due_cannot_return(app):
    manager, pmo, executive = make_user("manager"), make_user("pmo"), make_user("executive")
    project = _big_request(manager, budget=100000)  # PMO review only
    with pytest.raises(NotAllowed):
        decide(project, executive, "return", "Why?")
    decide(project, pmo, "approve")
    assert Project.get_by_id(project.id).state == "approved"


def test_a_sponsor_approving_is_flagged_by_default(app):
    manager, pmo, sponsor = make_user("manager"), make_user("pmo"), make_user("executive")
    project = _big_request(manager, sponsor=sponsor)
    decide(project, pmo, "approve")
    decide(project, sponsor, "approve", "Go")
    approval = Approval.get(Approval.kind == "executive")
    assert approval.conflict == "the approver is the project's sponsor"
    assert Project.get_by_id(project.id).state == "approved"
    assert "Conflict of interest" in Transition.select().order_by(Transition.id.desc()).first().comment


def test_a_sponsor_is_blocked_when_the_rules_say_so(app):
    manager, pmo, sponsor = make_user("manager"), make_user("pmo"), make_user("executive")
    save_rules({**DEFAULT_RULES, "conflict_of_interest": "block"}, pmo, "No self-approval")
    assert current_rules()["conflict_of_interest"] == "block"
    project = _big_request(manager, sponsor=sponsor)
    decide(project, pmo, "approve")
    assert kinds_user_can_give(sponsor, Project.get_by_id(project.id)) == []
    assert awaiting_executive(sponsor).count() == 0
    with pytest.raises(NotAllowed, match="Conflict of interest"):
        decide(project, sponsor, "approve")
    with pytest.raises(NotAllowed, match="Conflict of interest"):
        decide(project, sponsor, "reject", "No")
    assert Approval.select().where(Approval.kind == "executive").count() == 0
    decide(project, make_user("executive"), "approve")  # another executive may
    assert Project.get_by_id(project.id).state == "approved"


def test_the_conflict_rule_is_validated_and_round_trips(app):
    assert "conflict_of_interest" in dump_toml(DEFAULT_RULES)
    assert parse_toml(dump_toml({**DEFAULT_RULES, "conflict_of_interest": "block"}))["conflict_of_interest"] == "block"
    with pytest.raises(InvalidInput, match="conflict_of_interest"):
        parse_toml(dump_toml(DEFAULT_RULES).replace('conflict_of_interest = "flag"', 'conflict_of_interest = "ignore"'))


def test_executive_home_and_read_only_queue_list_what_waits(client, login):
    manager, pmo = make_user("manager"), make_user("pmo")
    waiting = _big_request(manager)
    early = _big_request(manager)
    decide(waiting, pmo, "approve")
    executive = login("executive")
    home = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> project decision(s) waiting for your approval" in home
    assert "/intake/?waiting=me" in home
    queue = client.get("/intake/?waiting=me").get_data(as_text=True)
    assert waiting.code in queue and early.code not in queue
    assert "Read only" in queue and "waiting for your decision" in queue
    everything = client.get("/intake/").get_data(as_text=True)
    assert waiting.code in everything and early.code in everything
    page = client.get(f"/projects/{early.code}").get_data(as_text=True)
    assert "comes after the PMO review" in page and "Approve (executive)" not in page
    page = client.get(f"/projects/{waiting.code}").get_data(as_text=True)
    assert "Approve (executive)" in page and "Return for changes" in page and "Reject" in page
    assert client.get("/intake/rules").status_code == 403
    empty = client.post(f"/projects/{waiting.code}/decide", data={"decision": "return", "comment": ""})
    assert empty.status_code == 422 and "Say what needs to change." in empty.get_data(as_text=True)
    done = client.post(f"/projects/{waiting.code}/decide", data={"decision": "return", "comment": "Phase it"})
    assert done.status_code == 303
    assert Project.get_by_id(waiting.id).state == "returned"
    assert executive.id == Transition.select().order_by(Transition.id.desc()).first().actor_id


def test_intake_stays_closed_to_managers_and_members(client, login):
    for role in ("manager", "member"):
        login(role)
        assert client.get("/intake/").status_code == 403


def test_where_the_band_asks_only_the_executive_the_pmo_must_have_scored_first(app):
    manager, pmo, executive = make_user("manager"), make_user("pmo"), make_user("executive")
    save_rules({**DEFAULT_RULES, "approval_bands": [{"above": 250000, "approvers": ["executive"]}]}, pmo, "")
    project = _big_request(manager)
    with pytest.raises(NotAllowed, match="reviewed and scored"):
        decide(project, executive, "approve")
    assert awaiting_executive(executive).count() == 0
    score_request(project, pmo, SHEET)
    assert [p.id for p in awaiting_executive(executive)] == [project.id]
    decide(project, executive, "approve")
    assert Project.get_by_id(project.id).state == "approved"
