"""Decision logs and change requests: who records and decides, the baseline an approved change moves, the lists."""
import datetime
from decimal import Decimal

import pytest

from portal.audit.models import AuditEvent
from portal.changes import services as changes
from portal.changes.models import Baseline, ChangeRequest
from portal.decisions import services as decisions
from portal.decisions.models import Decision, DecisionLink
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.projects.models import Project
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.risk_helpers import make_issue, make_risk


@pytest.fixture
def world(app):
    sponsor, pmo, viewer = make_user("executive"), make_user("pmo"), make_user("member")
    deputy, outsider = make_user("manager"), make_user("member")
    project = make_project(sponsor=sponsor, members=[(deputy, "deputy"), (viewer, "viewer")],
                           end_date=datetime.date(2026, 12, 31), budget=Decimal("100000"))
    other = make_project()
    return {"project": project, "other": other, "manager": project.manager, "sponsor": sponsor, "pmo": pmo,
            "viewer": viewer, "deputy": deputy, "outsider": outsider}


def test_a_decision_with_options_rationale_and_links(world):
    project = world["project"]
    risk, issue = make_risk(project), make_issue(project)
    d = decisions.record_decision(project, world["manager"], {
        "title": "Buy, not build", "status": "made", "options": "Build; buy; wait", "rationale": "Cheaper",
        "risks": [risk.id], "issues": [issue.id]})
    assert d.decided_on == datetime.date.today() and d.decided_by_id == world["manager"].id
    assert DecisionLink.select().where(DecisionLink.decision == d.id).count() == 2
    [row] = decisions.project_decisions(project)
    assert {(link["risk"], link["issue"]) for link in row.linked} == {(risk.id, None), (None, issue.id)}
    assert AuditEvent.get(AuditEvent.action == "decision.create").project_id == project.id


def test_links_must_be_the_projects_own(world):
    foreign = make_risk(world["other"])
    with pytest.raises(InvalidInput) as exc:
        decisions.record_decision(world["project"], world["manager"], {"title": "X", "risks": [foreign.id]})
    assert "risks" in exc.value.errors and not Decision.select().exists()


def test_a_pending_decision_is_resolved_with_its_rationale(world):
    project = world["project"]
    d = decisions.record_decision(project, world["deputy"], {"title": "Pick a vendor", "status": "pending",
                                                              "needed_by": datetime.date(2026, 6, 1)})
    assert d.decided_on is None and [x.id for x in decisions.needed(world["pmo"])] == [d.id]
    done = decisions.resolve(project, world["sponsor"], d.id, "Vendor B: best offer", d.version)
    assert done.status == "made" and done.decided_by_id == world["sponsor"].id
    assert decisions.needed(world["pmo"]) == []


@pytest.mark.parametrize("who,allowed", [("manager", True), ("deputy", True), ("sponsor", True), ("pmo", True),
                                         ("viewer", False), ("outsider", False)])
def test_who_keeps_the_decision_log(world, who, allowed):
    if allowed:
        decisions.record_decision(world["project"], world[who], {"title": "Fine"})
    else:
        with pytest.raises(NotAllowed):
            decisions.record_decision(world["project"], world[who], {"title": "Not fine"})


def test_small_changes_go_to_the_sponsor_larger_ones_to_the_pmo(world):
    project = world["project"]
    small = changes.request_change(project, world["manager"], {"title": "Two more weeks",
                                                               "new_end_date": datetime.date(2027, 1, 14)})
    assert small.decider == "sponsor" and small.schedule_days == 14
    large = changes.request_change(project, world["deputy"], {"title": "More scope", "budget_delta": "80000"})
    assert large.decider == "pmo"
    with pytest.raises(NotAllowed):  # the sponsor may not decide what the rules give the PMO
        changes.decide(project, world["sponsor"], large.id, True, "", large.version)
    with pytest.raises(NotAllowed):  # a deputy raises changes but does not decide them
        changes.decide(project, world["deputy"], small.id, True, "", small.version)


def test_an_approved_change_moves_the_baseline_and_keeps_the_history(world):
    project = world["project"]
    change = changes.request_change(project, world["manager"], {
        "title": "Phase two", "new_end_date": datetime.date(2027, 1, 20), "budget_delta": "-5000",
        "scope_impact": "Adds reporting"})
    assert change.decider == "sponsor"
    changes.decide(project, world["sponsor"], change.id, True, "Agreed", change.version)
    fresh = Project.get_by_id(project.id)
    assert fresh.end_date == datetime.date(2027, 1, 20) and fresh.budget == Decimal("95000")
    history = changes.baselines(fresh)
    assert [(b.number, b.end_date, b.budget) for b in history] == [
        (1, datetime.date(2026, 12, 31), Decimal("100000")), (2, datetime.date(2027, 1, 20), Decimal("95000"))]
    assert history[1].change_id == change.id
    assert changes.first_baselines([project.id]) == {project.id: (datetime.date(2026, 12, 31), Decimal("100000"))}
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.project_id == project.id)}
    assert {"change.request", "change.approved", "project.baseline"} <= actions
    with pytest.raises(Conflict):  # decided once only
        changes.decide(project, world["pmo"], change.id, False, "late", change.version + 1)


def test_rejecting_needs_a_reason_and_leaves_the_baseline(world):
    project = world["project"]
    change = changes.request_change(project, world["manager"], {"title": "Gold plating", "budget_delta": "500000"})
    with pytest.raises(InvalidInput):
        changes.decide(project, world["pmo"], change.id, False, "", change.version)
    changes.decide(project, world["pmo"], change.id, False, "Out of scope", change.version)
    assert ChangeRequest.get_by_id(change.id).state == "rejected"
    assert Project.get_by_id(project.id).budget == Decimal("100000") and not Baseline.select().exists()


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "12abc", "1e400", "9999999999999"])
def test_bad_amounts_are_a_message_not_an_error(world, amount):
    with pytest.raises(InvalidInput) as exc:
        changes.request_change(world["project"], world["manager"], {"title": "Odd", "budget_delta": amount})
    assert "budget_delta" in exc.value.errors


def test_the_change_rules_are_data(world):
    from portal.projects.rules import DEFAULT_RULES, save_rules
    rules = {**DEFAULT_RULES, "change_control": {"sponsor_budget_up_to": 0, "sponsor_days_up_to": 0}}
    save_rules(rules, world["pmo"])
    change = changes.request_change(world["project"], world["manager"], {"title": "Tiny", "budget_delta": "10"})
    assert change.decider == "pmo"
    with pytest.raises(InvalidInput):
        save_rules({**DEFAULT_RULES, "change_control": {"sponsor_budget_up_to": -1, "sponsor_days_up_to": "x"}},
                   world["pmo"])


def test_pages_lists_and_their_scope(client, world):
    project = world["project"]
    decisions.record_decision(project, world["manager"], {"title": "Canary decision"})
    changes.request_change(project, world["manager"], {"title": "Canary change", "budget_delta": "10"})
    sign_in(client, world["viewer"])
    for url in ("/decisions/", "/changes/", f"/projects/{project.code}/decisions/", f"/projects/{project.code}/changes/"):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200 and "Canary" in response.get_data(as_text=True), url
    page = client.get(f"/projects/{project.code}/changes/").get_data(as_text=True)
    assert "Request a change" not in page
    assert client.post(f"/projects/{project.code}/changes/", data={"title": "No"}).status_code == 403
    assert client.post(f"/projects/{project.code}/decisions/", data={"title": "No"}).status_code == 403
    sign_in(client, world["outsider"])
    assert "Canary" not in client.get("/decisions/").get_data(as_text=True)
    assert "Canary" not in client.get("/changes/").get_data(as_text=True)
    assert client.get(f"/projects/{project.code}/changes/").status_code == 404
    change = ChangeRequest.get()
    assert client.get(f"/projects/{world['other'].code}/changes/{change.id}").status_code in (403, 404)


def test_the_change_flow_through_the_pages(client, world):
    project = world["project"]
    sign_in(client, world["manager"])
    response = client.post(f"/projects/{project.code}/changes/", data={
        "title": "Later finish", "new_end_date": "2027-01-15", "budget_delta": "2500"})
    assert response.status_code == 303
    change = ChangeRequest.get()
    bad = client.post(f"/projects/{project.code}/changes/", data={"title": "", "budget_delta": "lots"})
    assert bad.status_code == 422 and "Enter the change in figures" in bad.get_data(as_text=True)
    assert client.post(f"/projects/{project.code}/changes/{change.id}/approve",
                       data={"version": change.version}).status_code == 403
    sign_in(client, world["sponsor"])
    response = client.post(f"/projects/{project.code}/changes/{change.id}/approve",
                           data={"version": change.version, "comment": "Fine"})
    assert response.status_code == 303
    assert Project.get_by_id(project.id).end_date == datetime.date(2027, 1, 15)
    stale = client.post(f"/projects/{project.code}/changes/{change.id}/reject",
                        data={"version": change.version, "comment": "late"})
    assert stale.status_code in (403, 409)
    feed = client.get(f"/projects/{project.code}/activity").get_data(as_text=True)
    assert "Later finish" in feed


def test_the_dashboard_shows_the_baseline_against_the_forecast(client, world):
    from tests.status_helpers import make_report
    project = world["project"]
    make_report(project, datetime.date.today() - datetime.timedelta(days=3), forecast_finish=datetime.date(2027, 2, 1))
    change = changes.request_change(project, world["manager"], {"title": "Later", "new_end_date": datetime.date(2027, 1, 10)})
    changes.decide(project, world["pmo"], change.id, True, "", change.version)
    sign_in(client, world["pmo"])
    page = client.get("/dashboard/").get_data(as_text=True)
    row = page[page.index(f'data-code="{project.code}"'):]
    row = row[:row.index("</tr>")]
    assert "2027-01-10" in row and "(was 2026-12-31)" in row and "2027-02-01" in row and "+22 d" in row
