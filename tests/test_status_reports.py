"""Status reports: the pre-filled form, RAG reasons, one report per period, stale edits, history, access."""
import re

import pytest

from portal.audit.models import AuditEvent
from portal.status.models import StatusReport
from portal.status.periods import open_periods
from tests.factories import make_project, make_user
from tests.status_helpers import due_now, earlier, form_data, make_report, today


@pytest.fixture
def project():
    return make_project(reporting_cadence="weekly", name="Warehouse robots")


def _sign_in_as(client, user):
    from tests.conftest import sign_in
    sign_in(client, user)


def test_manager_submits_then_it_shows_in_the_history(client, project):
    _sign_in_as(client, project.manager)
    period = due_now(project)
    response = client.post(f"/projects/{project.code}/status/report", data=form_data(period))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/projects/{project.code}/status/{period.isoformat()}")
    page = client.get(f"/projects/{project.code}/status/").get_data(as_text=True)
    assert period.isoformat() in page and "1 report" in page
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Design signed off." in report


@pytest.mark.parametrize("dim", ["overall", "schedule", "budget", "scope", "resources"])
def test_amber_or_red_needs_a_reason(client, project, dim):
    _sign_in_as(client, project.manager)
    response = client.post(f"/projects/{project.code}/status/report",
                           data=form_data(due_now(project), **{f"rag_{dim}": "red"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="reason_{dim}-error"' in html and "Say why it is red." in html
    assert StatusReport.select().count() == 0
    ok = client.post(f"/projects/{project.code}/status/report",
                     data=form_data(due_now(project), **{f"rag_{dim}": "red", f"reason_{dim}": "Vendor late."}))
    assert ok.status_code == 303


def test_form_is_prefilled_from_the_previous_report_and_shows_what_changed(client, project):
    _sign_in_as(client, project.manager)
    period = due_now(project)
    make_report(project, earlier(project, period), rag="amber", percent=35, accomplishments="Old news")
    html = client.get(f"/projects/{project.code}/status/report?period={period.isoformat()}").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="rag_overall"[^>]*>.*?<option selected value="amber"', html, re.S)
    assert 'value="35"' in html and "Old news" in html
    assert "Previous: 35" in html  # rendered hidden until the value changes
    # After a refused save the hint is visible beside the changed field.
    html = client.post(f"/projects/{project.code}/status/report",
                       data=form_data(period, percent_complete=50, rag_overall="red")).get_data(as_text=True)
    assert re.search(r'<small class="was" >Previous: 35</small>', html)


def test_second_submission_for_a_period_edits_it_with_history(client, project):
    _sign_in_as(client, project.manager)
    period = due_now(project)
    client.post(f"/projects/{project.code}/status/report", data=form_data(period))
    report = StatusReport.get()
    response = client.post(f"/projects/{project.code}/status/report",
                           data=form_data(period, version=report.version, percent_complete=55))
    assert response.status_code == 303
    assert StatusReport.select().count() == 1
    assert StatusReport.get().percent_complete == 55
    events = [e.action for e in AuditEvent.select().where(AuditEvent.object_type == "status_report")]
    assert sorted(events) == ["status.edit", "status.submit"]
    page = client.get(f"/projects/{project.code}/status/{period.isoformat()}").get_data(as_text=True)
    assert "edited" in page and "History" in page


def test_stale_edit_is_refused_with_409_and_input_kept(client, project):
    _sign_in_as(client, project.manager)
    period = due_now(project)
    client.post(f"/projects/{project.code}/status/report", data=form_data(period))
    client.post(f"/projects/{project.code}/status/report", data=form_data(period, version=1, percent_complete=60))
    stale = client.post(f"/projects/{project.code}/status/report",
                        data=form_data(period, version=1, percent_complete=70))
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "after you opened the form" in html and 'value="70"' in html
    assert StatusReport.get().percent_complete == 60
    # A first submission racing another one is stale too, never a silent overwrite.
    again = client.post(f"/projects/{project.code}/status/report", data=form_data(period, percent_complete=80))
    assert again.status_code == 409 and StatusReport.get().percent_complete == 60


def test_closed_periods_cannot_be_written(client, project):
    _sign_in_as(client, project.manager)
    old = earlier(project, min(open_periods(project.reporting_cadence, today())), 2)
    response = client.post(f"/projects/{project.code}/status/report", data=form_data(old))
    assert response.status_code == 422 and StatusReport.select().count() == 0
    make_report(project, old)
    assert client.get(f"/projects/{project.code}/status/report?period={old.isoformat()}").status_code == 403


def test_markdown_is_sanitised_and_pages_carry_no_inline_script_or_style(client, project):
    _sign_in_as(client, project.manager)
    period = due_now(project)
    client.post(f"/projects/{project.code}/status/report", data=form_data(
        period, blockers='**Vendor** <script>alert(1)</script> [x](javascript:alert(2)) <b onclick="x()" hx-get="/">b</b>'))
    for url in (f"/projects/{project.code}/status/{period.isoformat()}", f"/projects/{project.code}/status/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "javascript:" not in html and "onclick" not in html
        assert "style=" not in html and "<script>" not in html
    assert "<strong>Vendor</strong>" in client.get(f"/projects/{project.code}/status/{period.isoformat()}").get_data(as_text=True)


def test_history_page_draws_trend_charts(client, project):
    _sign_in_as(client, project.manager)
    end = due_now(project)
    for n, rag in enumerate(["green", "amber", "red"]):
        make_report(project, earlier(project, end, 2 - n), rag=rag, percent=10 * (n + 1))
    html = client.get(f"/projects/{project.code}/status/").get_data(as_text=True)
    assert html.count("<svg") == 3
    assert 'fill="#c62828"' in html  # a red square in the RAG grid
    assert "Percent complete" in html and "30%" in html


@pytest.mark.parametrize("role,status", [("member", 403), ("executive", 403), ("pmo", 200), ("outsider", 404)])
def test_who_may_write_a_report(client, project, role, status):
    if role == "member":
        user = make_user("member")
        from portal.projects.models import ProjectMember
        ProjectMember.create(project=project, user=user)
    elif role == "outsider":
        user = make_user("manager")
    else:
        user = make_user(role)
    _sign_in_as(client, user)
    assert client.get(f"/projects/{project.code}/status/report").status_code == status
    assert client.post(f"/projects/{project.code}/status/report",
                       data=form_data(due_now(project))).status_code == (303 if status == 200 else status)


def test_an_outsider_cannot_read_reports_or_guess_them(client, project):
    make_report(project, due_now(project))
    _sign_in_as(client, make_user("manager"))
    assert client.get(f"/projects/{project.code}/status/").status_code == 404
    assert client.get(f"/projects/{project.code}/status/{due_now(project).isoformat()}").status_code == 404


def test_project_page_links_to_its_status_reports(client, project):
    _sign_in_as(client, project.manager)
    assert f'href="/projects/{project.code}/status/"' in client.get(f"/projects/{project.code}").get_data(as_text=True)


def test_history_works_as_page_and_fragment(client, hx, project):
    make_report(project, due_now(project))
    _sign_in_as(client, project.manager)
    page = client.get(f"/projects/{project.code}/status/")
    fragment = hx.get(f"/projects/{project.code}/status/")
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True) and "1 report" in fragment.get_data(as_text=True)


def test_history_pages_hold_twenty_reports_and_stay_small(client, hx, project):
    for n in range(23):
        make_report(project, earlier(project, due_now(project), n), rag="amber", accomplishments="x" * 500)
    _sign_in_as(client, project.manager)
    first = hx.get(f"/projects/{project.code}/status/").get_data()
    assert b"23 reports" in first and first.count(b"<tr><td>") == 20 and b"Older" in first
    assert len(first) <= 10 * 1024
    older = hx.get(f"/projects/{project.code}/status/?page=2").get_data(as_text=True)
    assert older.count("<tr><td>") == 3 and "Newer" in older


def test_odd_version_or_amount_gets_a_message_not_a_server_error(client, login):
    from tests.factories import make_project
    from tests.status_helpers import due_now, form_data
    manager = login("manager")
    project = make_project(manager=manager)
    period = due_now(project)
    odd_version = client.post(f"/projects/{project.code}/status/report", data=form_data(period, version="abc"))
    assert odd_version.status_code == 409
    huge_version = client.post(f"/projects/{project.code}/status/report",
                               data=form_data(period, version="99999999999999999999"))
    assert huge_version.status_code == 409
    for amount in ("sNaN", "NaN", "Infinity"):
        response = client.post(f"/projects/{project.code}/status/report",
                               data=form_data(period, spent_to_date=amount))
        assert response.status_code == 422, amount
