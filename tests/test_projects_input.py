"""Approved projects keep what was approved; odd numbers and rules get messages, never a server error."""
import datetime
import re
from decimal import Decimal

import pytest

from portal.projects.models import Project, RuleSet, Score
from tests.factories import make_project, make_user
from tests.test_projects_views import GOOD


def _edit(project, manager, **changes):
    return {**GOOD, "name": project.name, "category": project.category, "budget": str(project.budget),
            "manager": str(manager.id), "version": str(project.version), "action": "save", **changes}


@pytest.mark.parametrize("state", ["approved", "active", "on_hold"])
def test_manager_cannot_raise_an_approved_budget(client, login, state):
    manager = login("manager")
    project = make_project(state=state, manager=manager, budget=Decimal("180000"))
    response = client.post(f"/projects/{project.code}/edit", data=_edit(project, manager, budget="5000000"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="budget-error"' in body and "ask the PMO to change it" in body
    fresh = Project.get_by_id(project.id)
    assert fresh.budget == Decimal("180000") and fresh.version == project.version


def test_manager_cannot_change_an_approved_category_but_may_move_dates(client, login):
    manager = login("manager")
    project = make_project(state="active", manager=manager, category="Process improvement")
    refused = client.post(f"/projects/{project.code}/edit", data=_edit(project, manager, category="Digital"))
    assert refused.status_code == 422 and 'id="category-error"' in refused.get_data(as_text=True)
    assert Project.get_by_id(project.id).category == "Process improvement"
    moved = client.post(f"/projects/{project.code}/edit", data=_edit(project, manager, end_date="2027-03-31"))
    assert moved.status_code == 303
    assert Project.get_by_id(project.id).end_date == datetime.date(2027, 3, 31)


def test_manager_sees_approved_fields_read_only_with_a_note(client, login):
    manager = login("manager")
    project = make_project(state="active", manager=manager)
    body = client.get(f"/projects/{project.code}/edit").get_data(as_text=True)
    assert body.count("Set at approval: ask the PMO to change it.") == 2
    assert re.search(r'<input [^>]*id="budget"[^>]* readonly', body)
    assert re.search(r'<select [^>]*disabled id="category"', body)
    assert '<input type="hidden" name="category" value="Process improvement">' in body


def test_pmo_may_change_an_approved_budget(client, login):
    login("pmo")
    manager = make_user("manager")
    project = make_project(state="active", manager=manager, budget=Decimal("180000"))
    response = client.post(f"/projects/{project.code}/edit", data=_edit(project, manager, budget="300000"))
    assert response.status_code == 303
    assert Project.get_by_id(project.id).budget == Decimal("300000")


@pytest.mark.parametrize("budget", ["NaN", "sNaN", "Infinity", "-Infinity", "nan"])
def test_a_budget_that_is_not_a_number_gets_a_message(client, login, budget):
    login("manager")
    response = client.post("/projects/new", data={**GOOD, "budget": budget, "action": "save"})
    assert response.status_code == 422
    assert "NaN and Infinity are not amounts" in response.get_data(as_text=True)
    assert not Project.select().exists()
    panel = client.get(f"/projects/rules-check?budget={budget}")
    assert panel.status_code == 200 and "NaN and Infinity are not amounts" in panel.get_data(as_text=True)


def test_services_refuse_a_budget_that_is_not_a_number(app):
    from portal.projects.rules import current_rules
    from portal.projects.services import InvalidInput, clean_values
    for budget in ("NaN", Decimal("sNaN"), "Infinity", "1e30"):
        with pytest.raises(InvalidInput) as refused:
            clean_values({"budget": budget}, current_rules())
        assert "budget" in refused.value.errors


@pytest.mark.parametrize("version", ["abc", "1.5", "99999999999999999999999"])
def test_a_damaged_edit_marker_is_refused_with_a_message(client, login, version):
    manager = login("manager")
    draft = make_project(state="draft", manager=manager, name="Kept")
    response = client.post(f"/projects/{draft.ref}/edit", data={**GOOD, "name": "Changed", "manager": str(manager.id),
                                                                "version": version, "action": "save"})
    assert response.status_code == 422
    assert "reload the page and save again" in response.get_data(as_text=True)
    assert Project.get_by_id(draft.id).name == "Kept"


@pytest.mark.parametrize("url", ["/projects/DRAFT-%C2%B2", "/projects/DRAFT-%D9%A3", "/projects/DRAFT-99999999999999999999999",
                                 "/projects/DRAFT-", "/projects/DRAFT-%C2%B2/edit"])
def test_odd_draft_numbers_are_not_found(client, login, url):
    login("admin")
    assert client.get(url).status_code == 404


def test_a_huge_manager_filter_is_refused_not_a_server_error(client, login):
    login("pmo")
    make_project(name="Listed")
    huge = "99999999999999999999999"
    assert "Listed" in client.get(f"/projects/?manager={huge}").get_data(as_text=True)  # filter dropped
    assert client.get(f"/projects/export.csv?manager={huge}").status_code == 400


@pytest.mark.parametrize("body,message", [
    ('inverted = [[1]]', "scoring.inverted may list only"),
    ('default_approvers = [["pmo"]]', "default_approvers must list"),
])
def test_rules_with_nested_lists_get_a_message(client, login, body, message):
    from portal.projects.rules import DEFAULT_RULES, dump_toml
    login("pmo")
    text = dump_toml(DEFAULT_RULES)
    key = body.split(" = ")[0]
    text = "\n".join(body if line.startswith(key + " = ") else line for line in text.splitlines())
    response = client.post("/intake/rules", data={"body": text, "comment": ""})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert not RuleSet.select().exists()


def test_a_category_with_an_emoji_survives_saving_the_rules_again(client, login):
    from portal.projects.rules import DEFAULT_RULES, current_rules, dump_toml
    login("pmo")
    rules = {**DEFAULT_RULES, "categories": {**DEFAULT_RULES["categories"], "Launch 🚀": {"required": []}}}
    assert client.post("/intake/rules", data={"body": dump_toml(rules), "comment": "Emoji"}).status_code == 303
    page = client.get("/intake/rules").get_data(as_text=True)
    assert "Launch 🚀" in page and "\\ud83d" not in page
    assert client.post("/intake/rules", data={"body": dump_toml(current_rules()), "comment": "Again"}).status_code == 303
    assert "Launch 🚀" in current_rules()["categories"]


def test_pmo_requester_cannot_score_their_own_request(client, login):
    pmo = login("pmo")
    project = make_project(state="submitted", manager=make_user("manager"), requester=pmo)
    assert "Score this request" not in client.get(f"/projects/{project.code}").get_data(as_text=True)
    response = client.post(f"/projects/{project.code}/score",
                           data={"strategic_fit": 5, "value": 5, "risk": 1, "effort": 1})
    assert response.status_code == 403
    assert not Score.select().exists() and Project.get_by_id(project.id).score is None
