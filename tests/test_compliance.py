"""Compliance: each check passes and fails on purpose, thresholds change results, the list ranks
by score in a bounded number of queries, the checks page validates and audits, reminders fire once."""
import datetime as dt
import re

import pytest

from portal.audit.models import AuditEvent
from portal.compliance.models import ComplianceCheck, ComplianceSnapshot
from portal.compliance.reminders import compliance_reminders
from portal.compliance.services import evaluate
from portal.db import utcnow
from portal.gates.models import ProjectPhase
from portal.kb.models import Acknowledgement, Article
from portal.notify.models import Notification
from portal.projects.models import Project, Transition
from portal.resources.models import Allocation
from portal.risks.models import Risk
from portal.status.models import StatusReport
from tests.factories import make_project, make_user
from tests.resource_helpers import book
from tests.risk_helpers import make_risk
from tests.status_helpers import make_report

TODAY = dt.date(2026, 3, 16)
CASE = "Saves 400 hours a year of manual reconciliation across three finance teams."


def compliant_project(**fields):
    """An active project that passes every check on TODAY."""
    project = make_project(business_case=CASE, **fields)
    Transition.create(project=project, from_state="in_review", to_state="approved", actor=project.manager)
    make_report(project, dt.date(2026, 2, 28))
    make_risk(project, last_reviewed_at=dt.datetime(2026, 3, 10, 9), created_at=dt.datetime(2026, 1, 10))
    make_risk(project, probability=4, impact=4, mitigation="Second supplier on standby.",
              last_reviewed_at=dt.datetime(2026, 3, 10, 9), created_at=dt.datetime(2026, 1, 10))
    standard = Article.get_or_none(Article.path == "standards/test-standard.md") or Article.create(
        path="standards/test-standard.md", section="standards", slug="test-standard", title="Test standard",
        mandatory=True, doc_version="2")
    Acknowledgement.create(user=project.manager, article=standard, doc_version="2")
    book(make_user(), project, "2026-01-01", "2026-06-30", 50)
    ProjectPhase.create(project=project, phase_key="execute", phase_name="Execute", max_days=540,
                        entered_at=dt.datetime(2026, 2, 2, 9))
    return project


def result(project, today=TODAY):
    [row] = evaluate(Project.select().where(Project.id == project.id), today)
    return row, {c.key: (passed, reason) for c, passed, reason in row["results"]}


def _set(key, **values):
    from portal.compliance.services import load_check
    check = load_check(key)
    for name, value in values.items():
        setattr(check, name, value)
    check.save()


def _threshold(key, value):
    _set(key, threshold=value)


def test_a_compliant_project_passes_every_check_with_100(app):
    row, checks = result(compliant_project())
    assert row["score"] == 100 and all(passed for passed, _ in checks.values())
    assert len(checks) == 7


BREAKERS = {
    "business_case": lambda p: Project.update(business_case="Because.").where(Project.id == p.id).execute(),
    "report_on_time": lambda p: StatusReport.delete().where(StatusReport.project == p.id).execute(),
    "risk_review": lambda p: Risk.update(last_reviewed_at=dt.datetime(2026, 1, 20)).where(Risk.project == p.id).execute(),
    "high_risks_handled": lambda p: Risk.update(mitigation="  ").where(Risk.project == p.id).execute(),
    "standards_ack": lambda p: Article.update(doc_version="3").execute(),
    "allocations": lambda p: Allocation.update(end_date=dt.date(2026, 3, 13)).where(Allocation.project == p.id).execute(),
    "phase_duration": lambda p: ProjectPhase.update(entered_at=dt.datetime(2024, 1, 1)).where(
        ProjectPhase.project == p.id).execute(),
}


@pytest.mark.parametrize("key", list(BREAKERS))
def test_each_check_fails_on_purpose_and_only_that_one(app, key):
    project = compliant_project()
    BREAKERS[key](project)
    row, checks = result(project)
    assert [k for k, (passed, _) in checks.items() if not passed] == [key]
    assert row["score"] == 86  # 6 of 7


def test_unapproved_request_fails_the_business_case_check(app):
    project = compliant_project()
    Transition.delete().where(Transition.project == project.id).execute()
    assert result(project)[1]["business_case"] == (False, "The request has no recorded approval.")


@pytest.mark.parametrize("key, value", [("report_on_time", 20), ("risk_review", 60), ("high_risks_handled", 17)])
def test_thresholds_the_pmo_sets_change_the_outcome(app, key, value):
    project = compliant_project()
    BREAKERS[key](project)
    assert result(project)[1][key][0] is False
    _threshold(key, value)
    assert result(project)[1][key][0] is True


def test_a_switched_off_check_does_not_count(app):
    project = compliant_project()
    BREAKERS["allocations"](project)
    _set("allocations", enabled=False)
    row, checks = result(project)
    assert "allocations" not in checks and row["score"] == 100


def test_list_ranks_by_score_with_failing_checks_in_bounded_queries(app, client, login):
    login("pmo")
    good, bad = compliant_project(name="Good"), compliant_project(name="Bad")
    BREAKERS["business_case"](bad)  # the page uses today's date: break what does not depend on it
    BREAKERS["high_risks_handled"](bad)
    html = client.get("/compliance/").get_data(as_text=True)
    assert html.index(bad.code) < html.index(good.code)
    assert "High risks have an owner and a mitigation" in html.split(f'data-code="{bad.code}"')[1].split("</tr>")[0]
    from peewee import Database
    calls = []
    original = Database.execute_sql

    def counting(self, sql, params=None, *args, **kwargs):
        calls.append(sql)
        return original(self, sql, params, *args, **kwargs)
    for _ in range(8):
        compliant_project()
    app.config["KEEP_RESULTS"] = False  # the page's own queries, as the first read after a change makes them
    Database.execute_sql = counting
    try:
        client.get("/compliance/")
    finally:
        Database.execute_sql = original
    assert len(calls) < 20  # the same with 10 projects as with 1000


def test_list_pages_by_twenty_five_lowest_first_while_the_average_counts_every_project(client, login, hx):
    login("pmo")
    projects = [make_project(name=f"Listed {i:02d}") for i in range(26)]  # every one fails some checks
    fragment = hx.get("/compliance/").get_data()
    assert fragment.count(b"<tr data-code=") == 25 and len(fragment) <= 10 * 1024  # re-sent on every page turn
    first = client.get("/compliance/").get_data(as_text=True)
    second = client.get("/compliance/?page=2").get_data(as_text=True)
    codes = lambda html: re.findall(r'<tr data-code="([^"]+)"', html)  # noqa: E731
    assert len(codes(first)) == 25 and len(codes(second)) == 1 and "Page 1 of 2" in first
    assert set(codes(first)) | set(codes(second)) == {p.code for p in projects}
    scores = [int(s) for s in re.findall(r'class="num check-(?:fail|pass)">(\d+)<', first + second)]
    assert scores == sorted(scores)
    average = float(re.search(r'id="compliance-average">([^<]+)<', first).group(1))
    assert average == round(sum(scores) / 26, 1)


def test_project_page_shows_reason_and_fix_link(client, login):
    project = compliant_project()
    BREAKERS["report_on_time"](project)
    from tests.conftest import sign_in
    sign_in(client, project.manager)
    html = client.get(f"/projects/{project.code}/compliance").get_data(as_text=True)
    row = html.split('data-check="report_on_time"')[1].split("</tr>")[0]
    assert "Fail" in row and "overdue" in row and f"/projects/{project.code}/status/" in row


def test_remind_notifies_the_manager_once_per_new_failure_and_snapshots_daily(app):
    project = compliant_project()
    BREAKERS["allocations"](project)
    now = dt.datetime(2026, 3, 16, 7)
    with app.app_context():
        assert len(compliance_reminders(now)) == 1
        assert compliance_reminders(now + dt.timedelta(hours=1)) == []
        assert Notification.select().where(Notification.user == project.manager_id).count() == 1
        assert ComplianceSnapshot.get(ComplianceSnapshot.project == project.id).score == 86
        # Put right, then broken again: a new failure, a new notice.
        Allocation.update(end_date=dt.date(2026, 6, 30)).execute()
        assert compliance_reminders(now + dt.timedelta(days=1)) == []
        BREAKERS["allocations"](project)
        assert len(compliance_reminders(now + dt.timedelta(days=2))) == 1
    assert ComplianceSnapshot.select().count() == 3


@pytest.mark.parametrize("threshold, status", [("500000", 422), ("abc", 422), ("0", 422), ("45", 303)])
def test_checks_page_validates_and_audits(client, login, threshold, status):
    login("pmo")
    from portal.compliance.services import load_check
    check = load_check("risk_review")
    response = client.post("/compliance/checks/risk_review",
                           data={"enabled": "y", "threshold": threshold, "version": check.version})
    assert response.status_code == status
    saved = load_check("risk_review")
    if status == 303:
        assert saved.threshold == 45 and AuditEvent.select().where(AuditEvent.action == "compliance.check").exists()
    else:
        assert saved.threshold == 30 and "from 1 to 365" in response.get_data(as_text=True) or threshold == "abc"


def test_stale_check_form_is_refused_with_409(client, login):
    login("admin")
    client.post("/compliance/checks/risk_review", data={"enabled": "y", "threshold": "40", "version": "1"})
    stale = client.post("/compliance/checks/risk_review", data={"threshold": "10", "version": "1"})
    assert stale.status_code == 409 and ComplianceCheck.get(ComplianceCheck.key == "risk_review").threshold == 40


@pytest.mark.parametrize("role", ["manager", "member", "executive"])
def test_only_pmo_and_admin_change_checks(client, login, role):
    login(role)
    assert client.get("/compliance/checks").status_code == 403
    assert client.post("/compliance/checks/risk_review", data={"threshold": "5", "version": "1"}).status_code == 403


def test_managers_see_only_their_projects_in_the_list(client, login):
    mine = compliant_project()
    other = compliant_project()
    from tests.conftest import sign_in
    sign_in(client, mine.manager)
    html = client.get("/compliance/").get_data(as_text=True)
    assert mine.code in html and other.code not in html


def test_dashboard_shows_each_projects_score(client, login):
    login("pmo")
    good, bad = compliant_project(), compliant_project()
    BREAKERS["business_case"](bad)
    BREAKERS["high_risks_handled"](bad)
    html = client.get("/dashboard/").get_data(as_text=True)
    good_score = evaluate(Project.select().where(Project.id == good.id), utcnow().date())[0]["score"]
    bad_score = evaluate(Project.select().where(Project.id == bad.id), utcnow().date())[0]["score"]
    assert bad_score < good_score
    for project, score in ((good, good_score), (bad, bad_score)):
        cell = html.split(f'data-code="{project.code}"')[1].split('class="num compliance-score"')[1].split("</td>")[0]
        assert f">{score}</a>" in cell


def test_portal_remind_runs_the_new_steps_in_order(app):
    from portal.remind import REMINDER_STEPS, run_reminders
    steps = ["portal.resources.reminders:conflict_reminders", "portal.milestones.services:dependency_alerts",
             "portal.compliance.reminders:compliance_reminders"]
    positions = [REMINDER_STEPS.index(step) for step in steps]
    assert positions == sorted(positions)
    project = compliant_project()
    BREAKERS["business_case"](project)
    BREAKERS["high_risks_handled"](project)
    with app.app_context():
        lines = run_reminders(dt.datetime(2026, 3, 16, 7))
    assert any(line.startswith(f"compliance: {project.code} fails 'Request approved") for line in lines)
    notes = [n.text for n in Notification.select().where(Notification.user == project.manager_id)]
    assert len(notes) == 1 and "High risks have an owner" in notes[0]  # one notice for both new failures
