"""The project risk log: scoring, heat map, inline editing, validation, stale edits, review and conversion."""
import csv
import datetime
import io

import pytest

from portal.audit.models import AuditEvent
from portal.risks.models import Issue, Risk
from portal.risks.services import open_high_risks, overdue_reviews
from tests.factories import make_project, make_user
from tests.risk_helpers import make_issue, make_risk

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _today_now():
    """TODAY as of each test, not of the import: a run that crosses midnight stays right."""
    global TODAY
    TODAY = datetime.date.today()


def _team(login, role="member"):
    user = login(role)
    project = make_project(members=[user])
    return user, project


def test_heatmap_counts_open_risks_per_cell(client, login):
    user, project = _team(login)
    make_risk(project, probability=4, impact=5, title="High one")
    make_risk(project, probability=4, impact=5, title="High two")
    make_risk(project, probability=2, impact=3, title="Low one")
    make_risk(project, probability=1, impact=1, status="closed", title="Closed one")
    body = client.get(f"/projects/{project.code}/risks/").get_data(as_text=True)
    assert 'data-cell="4-5">' in body
    cell = body.split('data-cell="4-5">', 1)[1].split("</td>", 1)[0]
    assert "Probability 4, impact 5: 2 risks" in cell
    low = body.split('data-cell="2-3">', 1)[1].split("</td>", 1)[0]
    assert ": 1 risk\"" in low
    empty = body.split('data-cell="1-1">', 1)[1].split("</td>", 1)[0]
    assert "<a" not in empty  # the closed risk is not on the map
    assert "heat-high" in body.split('data-cell="4-5"')[0].rsplit("<td", 1)[1]


def test_clicking_a_cell_filters_the_list(client, hx, login):
    user, project = _team(login)
    make_risk(project, probability=4, impact=5, title="Vendor insolvency")
    make_risk(project, probability=2, impact=3, title="Late sign-off")
    response = hx.get(f"/projects/{project.code}/risks/?p=4&i=5")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "Vendor insolvency" in body and "Late sign-off" not in body


def test_quick_add_computes_the_score_and_ignores_posted_score_and_project(client, hx, login):
    user, project = _team(login)
    other = make_project()
    response = hx.post(f"/projects/{project.code}/risks/", data={
        "title": "Key engineer may leave", "category": "resources", "probability": "4", "impact": "4",
        "owner": str(user.id), "review_date": "2026-09-01", "score": "1", "project": str(other.id), "version": "99"})
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "risks-changed"
    risk = Risk.get(Risk.title == "Key engineer may leave")
    assert (risk.score, risk.project_id, risk.version, risk.status) == (16, project.id, 1, "open")
    assert "Key engineer may leave" in response.get_data(as_text=True)
    assert AuditEvent.select().where((AuditEvent.object_type == "risk") & (AuditEvent.object_id == str(risk.id))).count() == 1


def test_invalid_input_is_refused_next_to_the_fields_and_nothing_is_written(client, login):
    user, project = _team(login)
    stranger = make_user("member")
    response = client.post(f"/projects/{project.code}/risks/new", data={
        "title": "x" * 201, "category": "technical", "probability": "6", "impact": "abc",
        "owner": str(stranger.id), "review_date": "2026-02-30", "response": "ignore"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.count('class="field-error"') >= 5
    assert 'id="owner-error"' in body and 'id="review_date-error"' in body and 'id="probability-error"' in body
    assert Risk.select().count() == 0


def test_residual_needs_both_values(client, login):
    user, project = _team(login)
    response = client.post(f"/projects/{project.code}/risks/new", data={
        "title": "Data migration errors", "category": "technical", "probability": "4", "impact": "4",
        "owner": str(user.id), "response": "mitigate", "residual_probability": "2"})
    assert response.status_code == 422
    assert "Give both residual probability and impact" in response.get_data(as_text=True)
    response = client.post(f"/projects/{project.code}/risks/new", data={
        "title": "Data migration errors", "category": "technical", "probability": "4", "impact": "4",
        "owner": str(user.id), "response": "mitigate", "residual_probability": "2", "residual_impact": "3"})
    assert response.status_code == 303
    risk = Risk.get()
    assert (risk.score, risk.residual_score) == (16, 6)
    assert "6" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_inline_edit_moves_the_risk_and_records_before_and_after(client, hx, login):
    user, project = _team(login)
    risk = make_risk(project, probability=2, impact=4)
    form = hx.get(f"/projects/{project.code}/risks/{risk.id}/row/edit").get_data(as_text=True)
    assert 'name="probability"' in form and f'value="{risk.version}"' in form
    response = hx.post(f"/projects/{project.code}/risks/{risk.id}/row/edit", data={
        "title": risk.title, "category": "supplier", "probability": "5", "impact": "4", "owner": str(project.manager_id),
        "review_date": "", "version": str(risk.version)})
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "risks-changed"
    assert 'id="risk-' in response.get_data(as_text=True)
    heat = hx.get(f"/projects/{project.code}/risks/heatmap").get_data(as_text=True)
    assert "Probability 5, impact 4: 1 risk" in heat and "Probability 2, impact 4" not in heat
    saved = Risk.get_by_id(risk.id)
    assert (saved.score, saved.version) == (20, 2)
    event = AuditEvent.get((AuditEvent.action == "risk.updated") & (AuditEvent.object_id == str(risk.id)))
    changes = {name: (before, after) for name, before, after in event.changes()}
    assert changes["probability"] == (2, 5) and changes["score"] == (8, 20)
    assert event.actor_id == user.id


def test_inline_edit_with_errors_rerenders_the_row_form(hx, login):
    user, project = _team(login)
    risk = make_risk(project)
    response = hx.post(f"/projects/{project.code}/risks/{risk.id}/row/edit", data={
        "title": "", "category": "supplier", "probability": "0", "impact": "3", "owner": str(user.id),
        "version": str(risk.version)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="row-editing"' in body and "field-error" in body
    assert Risk.get_by_id(risk.id).title == risk.title


def test_stale_edit_is_refused_with_409_and_keeps_the_input(client, login):
    user, project = _team(login)
    risk = make_risk(project)
    data = {"title": "Renamed by me", "category": "supplier", "probability": "3", "impact": "3",
            "owner": str(user.id), "response": "mitigate", "version": str(risk.version)}
    first = client.post(f"/projects/{project.code}/risks/{risk.id}/edit", data={**data, "title": "Renamed first"})
    assert first.status_code == 303
    second = client.post(f"/projects/{project.code}/risks/{risk.id}/edit", data=data)
    body = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "after you opened it" in body and user.name in body
    assert 'value="Renamed by me"' in body
    assert Risk.get_by_id(risk.id).title == "Renamed first"


def test_stale_inline_row_edit_is_409_too(hx, login):
    user, project = _team(login)
    risk = make_risk(project)
    Risk.update(version=Risk.version + 1).where(Risk.id == risk.id).execute()
    response = hx.post(f"/projects/{project.code}/risks/{risk.id}/row/edit", data={
        "title": "Mine", "category": "supplier", "probability": "3", "impact": "3", "owner": str(user.id),
        "version": "1"})
    assert response.status_code == 409
    assert "after you opened it" in response.get_data(as_text=True)


def test_quick_status_change_and_its_rules(hx, login):
    user, project = _team(login)
    risk = make_risk(project)
    url = f"/projects/{project.code}/risks/{risk.id}/status?row=1"
    response = hx.post(url, data={"status": "monitoring", "version": "1"})
    assert response.status_code == 200 and "selected>Monitoring" in response.get_data(as_text=True)
    assert Risk.get_by_id(risk.id).status == "monitoring"
    stale = hx.post(url, data={"status": "closed", "version": "1"})
    assert stale.status_code == 409 and Risk.get_by_id(risk.id).status == "monitoring"
    occurred = hx.post(url, data={"status": "occurred", "version": "2"})
    assert occurred.status_code == 422 and Risk.get_by_id(risk.id).status == "monitoring"


def test_reviewed_today_records_a_review_and_clears_the_overdue_flag(client, hx, login):
    user, project = _team(login)
    risk = make_risk(project, probability=5, impact=4, review_date=TODAY - datetime.timedelta(days=3), owner=user)
    page = client.get("/risks/").get_data(as_text=True)
    assert "Your risks due for review" in page and risk.title in page
    assert "overdue" in client.get(f"/projects/{project.code}/risks/").get_data(as_text=True)
    response = hx.post(f"/projects/{project.code}/risks/{risk.id}/review?row=1")
    assert response.status_code == 200 and "overdue" not in response.get_data(as_text=True)
    saved = Risk.get_by_id(risk.id)
    assert saved.review_date == TODAY + datetime.timedelta(days=7)  # high risks: weekly
    assert saved.last_reviewed_at is not None
    assert AuditEvent.select().where(AuditEvent.action == "risk.reviewed").count() == 1
    assert "Your risks due for review" not in client.get("/risks/").get_data(as_text=True)


def test_converting_a_risk_opens_a_linked_issue_with_history(client, login):
    user, project = _team(login)
    risk = make_risk(project, probability=4, impact=5, contingency="Hire a second supplier")
    response = client.post(f"/projects/{project.code}/risks/{risk.id}/convert")
    assert response.status_code == 303
    issue = Issue.get(Issue.risk == risk.id)
    assert response.headers["Location"].endswith(f"/projects/{project.code}/issues/{issue.id}")
    assert (issue.project_id, issue.priority, issue.owner_id, issue.status) == (project.id, 5, risk.owner_id, "open")
    assert Risk.get_by_id(risk.id).status == "occurred"
    issue_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"R-{risk.id} {risk.title}" in issue_page and f"opened from risk R-{risk.id}" in issue_page
    risk_page = client.get(f"/projects/{project.code}/risks/{risk.id}").get_data(as_text=True)
    assert f"I-{issue.id}" in risk_page and f"became issue I-{issue.id}" in risk_page
    again = client.post(f"/projects/{project.code}/risks/{risk.id}/convert")
    assert again.status_code == 409 and Issue.select().count() == 1


def test_csv_export_is_formula_safe_and_keeps_numbers(client, login):
    user, project = _team(login)
    make_risk(project, probability=4, impact=5, title="=HYPERLINK(\"http://evil\")", trigger="@SUM(A1)")
    response = client.get(f"/projects/{project.code}/risks/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["title"].startswith("'=") and rows[0]["trigger"] == "'@SUM(A1)"
    assert rows[0]["score"] == "20" and rows[0]["project"] == project.code


def test_list_paginates_and_sorts_by_score(client, hx, login):
    user, project = _team(login)
    for n in range(25):
        make_risk(project, probability=1 + n % 5, impact=1, title=f"Risk number {n:02d}")
    make_risk(project, probability=5, impact=5, title="The worst one")
    body = hx.get(f"/projects/{project.code}/risks/").get_data(as_text=True)
    assert "26 risks" in body and "Page 1 of 3" in body and body.count('<tr id="risk-') == 10
    assert body.index("The worst one") < body.index("Risk number 04")
    last = hx.get(f"/projects/{project.code}/risks/?page=3").get_data(as_text=True)
    assert "The worst one" not in last and last.count('<tr id="risk-') == 6


def test_a_page_of_the_list_stays_small_for_htmx(client, hx, login):
    """A full page of writable rows with long titles is under 10 KB as a fragment; the quick-add form is not resent."""
    user, project = _team(login)
    for n in range(30):
        make_risk(project, probability=5, impact=5, owner=user, review_date=TODAY - datetime.timedelta(days=1),
                  title=f"Supplier {n:02d} may not deliver the hardware for the new site in time")
    body = hx.get(f"/projects/{project.code}/risks/").get_data()
    assert body.count(b'<tr id="risk-') == 10 and b"Reviewed today" in body and b"quick-add" not in body
    assert len(body) <= 10 * 1024


def test_a_page_of_the_portfolio_list_stays_small_for_htmx(hx, login):
    """The portfolio's open risks come 25 a page, under 10 KB as the fragment its filters and pager fetch."""
    user = login("pmo")
    project = make_project(name="Regional warehouse consolidation programme")
    for n in range(30):
        make_risk(project, probability=5, impact=5, owner=user, review_date=TODAY - datetime.timedelta(days=1),
                  title=f"Supplier {n:02d} may not deliver the hardware for the new site in time")
    body = hx.get("/risks/").get_data()
    assert body.count(b"<tr><td>") == 25 and b"Page 1 of 2" in body and b"overdue" in body
    assert len(body) <= 10 * 1024


def test_dashboard_counts_open_high_risks_and_overdue_reviews(app):
    project = make_project()
    quiet = make_project()
    make_risk(project, probability=5, impact=3)                      # 15: high
    make_risk(project, probability=4, impact=4, status="monitoring")  # 16: high
    make_risk(project, probability=5, impact=5, status="closed")      # closed: not counted
    make_risk(project, probability=2, impact=2, review_date=TODAY - datetime.timedelta(days=1))
    make_risk(project, probability=3, impact=4, review_date=TODAY - datetime.timedelta(days=9), status="occurred")
    assert open_high_risks([project.id, quiet.id]) == {project.id: 2, quiet.id: 0}
    assert overdue_reviews([project.id, quiet.id]) == {project.id: 1, quiet.id: 0}
    assert open_high_risks([]) == {}


def test_issue_log_flags_overdue_and_stale_issue_edit_is_409(client, login):
    user, project = _team(login)
    late = make_issue(project, title="Late delivery", due_date=TODAY - datetime.timedelta(days=2))
    body = client.get(f"/projects/{project.code}/issues/").get_data(as_text=True)
    assert "Late delivery" in body and "overdue" in body
    data = {"title": "Late delivery", "priority": "4", "owner": str(user.id), "status": "in_progress",
            "due_date": "", "version": "1"}
    assert client.post(f"/projects/{project.code}/issues/{late.id}/edit", data=data).status_code == 303
    stale = client.post(f"/projects/{project.code}/issues/{late.id}/edit", data={**data, "status": "closed"})
    assert stale.status_code == 409 and Issue.get_by_id(late.id).status == "in_progress"
    bad = client.post(f"/projects/{project.code}/issues/new", data={"title": "", "priority": "9",
                                                                    "owner": "0", "status": "open"})
    assert bad.status_code == 422 and Issue.select().count() == 1


def test_demo_log_covers_every_status_and_score_band(app):
    import random

    from portal.demo import _small_users
    from portal.projects.demo import small_portfolio
    from portal.risks.demo import small_log
    _small_users()
    small_portfolio(random.Random(1))
    added = small_log(random.Random(1))
    assert added[0] >= 13 and small_log(random.Random(1)) == (0, 0)  # idempotent
    assert {r.status for r in Risk.select()} == {"open", "monitoring", "closed", "occurred"}
    assert {r.band for r in Risk.select()} == {"high", "medium", "low"}
    assert {i.status for i in Issue.select()} == {"open", "in_progress", "resolved", "closed"}
    assert Issue.select().where(Issue.risk.is_null(False)).count() == Risk.select().where(Risk.status == "occurred").count()
    assert Risk.select().where(Risk.escalated == True).exists()  # noqa: E712


def test_owners_are_reminded_once_per_review_date_on_live_projects(app):
    import datetime as dt

    from portal.notify.models import Notification
    from portal.risks.models import Risk
    from portal.risks.reminders import review_reminders
    from tests.factories import make_project, make_user
    owner = make_user("member")
    live, closed = make_project(state="active", members=[owner]), make_project(state="closed", members=[owner])
    due = Risk.create(project=live.id, title="Supplier insolvency", category="supplier", probability=3, impact=4,
                      score=12, owner=owner.id, status="open", review_date=dt.date(2026, 3, 2))
    Risk.create(project=closed.id, title="Old", category="supplier", probability=3, impact=4, score=12,
                owner=owner.id, status="open", review_date=dt.date(2026, 3, 2))
    Risk.create(project=live.id, title="Later", category="supplier", probability=3, impact=4, score=12,
                owner=owner.id, status="open", review_date=dt.date(2026, 4, 1))
    now = dt.datetime(2026, 3, 3, 8, 0)
    with app.app_context():
        assert len(review_reminders(now)) == 1
        assert review_reminders(now) == []  # once
        Risk.update(review_date=dt.date(2026, 3, 3)).where(Risk.id == due.id).execute()  # reviewed, due again
        assert len(review_reminders(now)) == 1
    texts = [n.text for n in Notification.select().where(Notification.user == owner.id)]
    assert len(texts) == 2 and all("Supplier insolvency" in t for t in texts)
