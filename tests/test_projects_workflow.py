"""The project life cycle: transitions by role, governance rules, approvals, conflicts and codes."""
import datetime
import re
import threading
from decimal import Decimal

import pytest

from portal.db import db
from portal.notify.models import Notification
from portal.projects.models import Approval, Project, Transition
from portal.projects.review import decide, score_request
from portal.projects.rules import DEFAULT_RULES, save_rules
from portal.projects.services import InvalidInput, create_request, submit_request
from portal.projects.workflow import TRANSITIONS, Conflict, NotAllowed, WorkflowError, apply_transition
from tests.factories import make_project, make_user

# Who may take each step: "owner" is the project's manager (and requester); the others hold that role
# and have no tie to the project.
ALLOWED = {
    ("draft", "submitted"): {"owner"},
    ("draft", "cancelled"): {"owner", "pmo", "admin"},
    ("submitted", "in_review"): {"pmo", "admin"},
    ("submitted", "approved"): {"pmo", "admin", "executive"},
    ("submitted", "returned"): {"pmo", "admin"},
    ("submitted", "rejected"): {"pmo", "admin"},
    ("submitted", "cancelled"): {"owner", "pmo", "admin"},
    ("in_review", "approved"): {"pmo", "admin", "executive"},
    ("in_review", "returned"): {"pmo", "admin"},
    ("in_review", "rejected"): {"pmo", "admin"},
    ("in_review", "cancelled"): {"owner", "pmo", "admin"},
    ("returned", "submitted"): {"owner"},
    ("returned", "cancelled"): {"owner", "pmo", "admin"},
    ("approved", "active"): {"owner", "pmo", "admin"},
    ("approved", "cancelled"): {"pmo", "admin"},
    ("active", "on_hold"): {"owner", "pmo", "admin"},
    ("active", "closed"): {"owner", "pmo", "admin"},
    ("active", "cancelled"): {"pmo", "admin"},
    ("on_hold", "active"): {"owner", "pmo", "admin"},
    ("on_hold", "closed"): {"owner", "pmo", "admin"},
    ("on_hold", "cancelled"): {"pmo", "admin"},
}
ACTORS = ["owner", "manager", "pmo", "admin", "executive", "member"]


def test_the_table_lists_every_step_the_design_names():
    assert {(f, t) for f, targets in TRANSITIONS.items() for t in targets} == set(ALLOWED)


@pytest.mark.parametrize("step", sorted(ALLOWED), ids=lambda s: f"{s[0]}-{s[1]}")
@pytest.mark.parametrize("actor_kind", ACTORS)
def test_each_step_by_each_role(app, step, actor_kind):
    from_state, to_state = step
    owner = make_user("manager")
    project = make_project(state=from_state, manager=owner)
    actor = owner if actor_kind == "owner" else make_user(actor_kind)
    if actor_kind in ALLOWED[step]:
        apply_transition(project, to_state, actor, "because")
        assert Project.get_by_id(project.id).state == to_state
        row = Transition.get(Transition.project == project.id)
        assert (row.actor_id, row.from_state, row.to_state, row.comment) == (actor.id, from_state, to_state, "because")
    else:
        with pytest.raises(NotAllowed):
            apply_transition(project, to_state, actor)
        assert Project.get_by_id(project.id).state == from_state
        assert Transition.select().count() == 0


@pytest.mark.parametrize("from_state,to_state", [("draft", "approved"), ("rejected", "submitted"),
                                                 ("closed", "active"), ("cancelled", "active"),
                                                 ("approved", "draft"), ("active", "approved")])
def test_steps_outside_the_table_are_refused_even_for_admins(app, from_state, to_state):
    project = make_project(state=from_state)
    with pytest.raises(WorkflowError, match="cannot become"):
        apply_transition(project, to_state, make_user("admin"))
    assert Project.get_by_id(project.id).state == from_state


def _request(manager, category="Process improvement", budget=100000, **fields):
    values = {"name": "New intranet search", "summary": "Find things.", "manager": manager.id,
              "department": "IT", "category": category, "start_date": datetime.date(2026, 3, 1),
              "end_date": datetime.date(2026, 9, 30), "budget": budget, "reporting_cadence": "monthly"}
    values.update(fields)
    return create_request(values, manager)


def test_submission_gives_a_readable_code_and_notifies_reviewers(app):
    manager = make_user("manager")
    reviewer = make_user("pmo")
    project = submit_request(_request(manager), manager)
    assert re.fullmatch(r"PRJ-\d{4}-\d{3}", project.code)
    assert project.state == "submitted"
    assert Notification.select().where(Notification.user == reviewer.id).count() == 1


def test_category_rules_require_their_fields_before_submission(app):
    manager = make_user("manager")
    draft = _request(manager, category="Regulatory")
    with pytest.raises(InvalidInput) as info:
        submit_request(draft, manager)
    assert set(info.value.errors) == {"business_case", "compliance_owner"}
    assert Project.get_by_id(draft.id).state == "draft"
    assert Project.get_by_id(draft.id).code is None


def test_rules_are_data_a_new_category_rule_applies_at_once(app):
    pmo = make_user("pmo")
    rules = {**DEFAULT_RULES, "categories": {**DEFAULT_RULES["categories"],
                                             "Process improvement": {"required": ["benefits"]}}}
    save_rules(rules, pmo, "Benefits now required for process work")
    manager = make_user("manager")
    with pytest.raises(InvalidInput) as info:
        submit_request(_request(manager), manager)
    assert set(info.value.errors) == {"benefits"}


@pytest.mark.parametrize("budget,needed", [(100000, 1), (250000, 1), (250001, 2), (900000, 2)])
def test_budget_band_decides_how_many_approvals(app, budget, needed):
    manager = make_user("manager")
    project = submit_request(_request(manager, budget=budget), manager)
    decide(project, make_user("pmo"), "approve")
    assert Project.get_by_id(project.id).state == ("approved" if needed == 1 else "in_review")


def test_a_large_request_needs_pmo_and_executive_approval(app):
    manager = make_user("manager")
    project = submit_request(_request(manager, budget=Decimal("400000")), manager)
    decide(project, make_user("pmo"), "approve", "fits the roadmap")
    assert Project.get_by_id(project.id).state == "in_review"
    with pytest.raises(Conflict, match="Already approved by"):
        decide(project, make_user("pmo"), "approve")
    decide(project, make_user("executive"), "approve")
    assert Project.get_by_id(project.id).state == "approved"
    assert {a.kind for a in Approval.select()} == {"pmo", "executive"}
    texts = [n.text for n in Notification.select().where(Notification.user == manager.id)]
    assert any("the project is approved" in t for t in texts)


def test_an_executive_cannot_give_the_pmo_review(app):
    manager = make_user("manager")
    project = submit_request(_request(manager), manager)
    with pytest.raises(NotAllowed, match="PMO review"):
        decide(project, make_user("executive"), "approve")
    assert Project.get_by_id(project.id).state == "submitted"


@pytest.mark.parametrize("role", ["member", "manager"])
def test_people_without_the_right_cannot_approve_return_or_reject(app, role):
    manager = make_user("manager")
    project = submit_request(_request(manager), manager)
    someone = make_user(role)
    with pytest.raises(NotAllowed):
        decide(project, someone, "approve")
    with pytest.raises(NotAllowed):
        decide(project, someone, "reject", "no")
    assert Project.get_by_id(project.id).state == "submitted"


def test_nobody_approves_their_own_request(app):
    pmo = make_user("pmo")
    project = submit_request(_request(pmo), pmo)
    with pytest.raises(NotAllowed, match="own request"):
        decide(project, pmo, "approve")
    assert Approval.select().count() == 0


def test_reject_and_return_need_a_reason(app):
    manager = make_user("manager")
    project = submit_request(_request(manager), manager)
    pmo = make_user("pmo")
    for decision in ("reject", "return"):
        with pytest.raises(InvalidInput):
            decide(project, pmo, decision, "   ")
    assert Project.get_by_id(project.id).state == "submitted"


def test_returned_request_is_fixed_resubmitted_and_approvals_start_again(app):
    manager = make_user("manager")
    project = submit_request(_request(manager, budget=300000), manager)
    pmo = make_user("pmo")
    decide(project, pmo, "approve")
    decide(project, pmo, "return", "Add the rollout plan")
    project = Project.get_by_id(project.id)
    assert project.state == "returned"
    code = project.code
    project = submit_request(project, manager)
    assert project.code == code  # the code stays with the request
    assert project.state == "submitted"
    decide(project, pmo, "approve")  # round two: the earlier approval does not count
    decide(project, make_user("executive"), "approve")
    assert Project.get_by_id(project.id).state == "approved"
    steps = [(t.from_state, t.to_state) for t in Transition.select().order_by(Transition.id)]
    assert steps == [("draft", "submitted"), ("submitted", "in_review"), ("in_review", "returned"),
                     ("returned", "submitted"), ("submitted", "in_review"), ("in_review", "approved")]


def test_rejected_request_keeps_its_record(app):
    manager = make_user("manager")
    project = submit_request(_request(manager), manager)
    decide(project, make_user("pmo"), "reject", "Covered elsewhere")
    project = Project.get_by_id(project.id)
    assert project.state == "rejected" and project.code
    with pytest.raises(Conflict, match="Already decided by"):
        decide(project, make_user("pmo"), "approve")


def test_scoring_ranks_requests_with_weights(app):
    manager = make_user("manager")
    strong = submit_request(_request(manager, name="Strong"), manager)
    weak = submit_request(_request(manager, name="Weak"), manager)
    pmo = make_user("pmo")
    score_request(strong, pmo, {"strategic_fit": 5, "value": 5, "risk": 1, "effort": 2})
    score_request(weak, pmo, {"strategic_fit": 2, "value": 2, "risk": 5, "effort": 5})
    ranked = [p.name for p in Project.select().order_by(Project.score.desc())]
    assert ranked == ["Strong", "Weak"]
    assert Project.get(Project.name == "Strong").state == "in_review"
    with pytest.raises(InvalidInput):
        score_request(weak, pmo, {"strategic_fit": 6, "value": 0, "risk": 1, "effort": 1})


def _run_parallel(count, work):
    """Run `work(i)` in `count` threads, each on its own connection, started together."""
    if hasattr(db.obj, "_max_connections"):
        db.obj._max_connections = max(db.obj._max_connections, count + 8)
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        with db.connection_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # the outcome is what the test compares
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_decisions_one_wins_the_other_is_told(app):
    manager = make_user("manager")
    project = submit_request(_request(manager), manager)
    approver, rejecter = make_user("pmo", name="Paula Approver"), make_user("pmo", name="Rita Rejecter")
    actions = [lambda: decide(project, approver, "approve"), lambda: decide(project, rejecter, "reject", "No budget")]
    results = _run_parallel(2, lambda i: actions[i]())
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    winner = approver if not isinstance(results[0], Exception) else rejecter
    assert f"Already decided by {winner.name}" in str(conflicts[0])
    final = Project.get_by_id(project.id).state
    assert final == ("approved" if winner is approver else "rejected")
    assert Transition.select().where(Transition.to_state.in_(("approved", "rejected"))).count() == 1


def test_codes_stay_unique_under_50_parallel_submissions(app):
    managers = [make_user("manager") for _ in range(50)]
    drafts = [_request(m, name=f"Parallel {i}") for i, m in enumerate(managers)]
    results = _run_parallel(50, lambda i: submit_request(drafts[i], managers[i]).code)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 50
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in results)
    assert numbers == list(range(1, 51))  # gap-free
