"""Milestones and dependencies: a slip or a red predecessor marks dependants at risk and tells both managers once."""
import datetime as dt

from portal.milestones.models import Milestone
from portal.milestones.services import alert_at_risk, chains, visible_edges
from portal.notify.models import Notification
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.status_helpers import make_report

D = dt.date.fromisoformat
NOW = dt.datetime(2026, 3, 1, 9, 0)


def _chain():
    """Platform's 'API ready' ← Mobile's 'App beta' ← Launch's 'Go live'."""
    platform, mobile, launch = make_project(name="Platform"), make_project(name="Mobile"), make_project(name="Launch")
    api = Milestone.create(project=platform, name="API ready", due_date=D("2026-04-01"))
    beta = Milestone.create(project=mobile, name="App beta", due_date=D("2026-04-15"), depends_on=api)
    live = Milestone.create(project=launch, name="Go live", due_date=D("2026-05-01"), depends_on=beta)
    return platform, mobile, launch, api, beta, live


def _notes(user):
    return [n.text for n in Notification.select().where(Notification.user == user.id)]


def test_a_slip_past_the_dependants_due_date_marks_it_and_notifies_once(client, login, app):
    platform, mobile, launch, api, beta, live = _chain()
    sign_in(client, platform.manager)
    # Slipping within the dependant's slack is no risk.
    client.post(f"/projects/{platform.code}/milestones/{api.id}", data={"forecast_date": "2026-04-10", "version": 1})
    assert _notes(mobile.manager) == []
    response = client.post(f"/projects/{platform.code}/milestones/{api.id}",
                           data={"forecast_date": "2026-04-20", "version": 2})
    assert response.status_code == 303
    assert len(_notes(mobile.manager)) == 1 and "App beta" in _notes(mobile.manager)[0]
    assert len(_notes(platform.manager)) == 1
    # Each manager is told in terms of what they may see: the other team's project stays unnamed.
    assert platform.code not in _notes(mobile.manager)[0] and "a milestone of another project" in _notes(mobile.manager)[0]
    assert mobile.code not in _notes(platform.manager)[0] and "API ready" in _notes(platform.manager)[0]
    assert _notes(launch.manager) == []  # Go live waits on App beta, whose own forecast has not moved
    client.post(f"/projects/{platform.code}/milestones/{api.id}", data={"forecast_date": "2026-04-25", "version": 3})
    with app.app_context():
        assert alert_at_risk(NOW) == []
    assert len(_notes(mobile.manager)) == 1
    sign_in(client, mobile.manager)
    page = client.get(f"/projects/{mobile.code}/milestones/").get_data(as_text=True)
    waits_on = page.split('id="waits-on"')[1].split("</article>")[0]
    assert "forecast slipped" in waits_on and platform.code not in waits_on  # not on Platform's team
    sign_in(client, make_user("pmo"))
    assert "App beta" in client.get(f"/projects/{platform.code}/milestones/").get_data(as_text=True).split(
        'id="waited-by"')[1]


def test_a_red_predecessor_project_marks_dependants_at_risk(app):
    platform, mobile, launch, api, beta, live = _chain()
    make_report(platform, D("2026-02-27"), rag="red")
    with app.app_context():
        lines = alert_at_risk(NOW)
        assert len(lines) == 1 and "(red)" in lines[0]
        assert alert_at_risk(NOW) == []
    assert len(_notes(mobile.manager)) == 1 and "red" in _notes(mobile.manager)[0]


def test_done_milestones_put_nobody_at_risk(app):
    platform, mobile, launch, api, beta, live = _chain()
    Milestone.update(forecast_date=D("2026-06-01"), done=True).where(Milestone.id == api.id).execute()
    with app.app_context():
        assert alert_at_risk(NOW) == []


def test_chains_answer_who_else_slips(app):
    platform, mobile, launch, api, beta, live = _chain()
    Milestone.update(forecast_date=D("2026-04-20")).where(Milestone.id == api.id).execute()
    found = chains(visible_edges(make_user("pmo")))
    assert len(found) == 1
    assert found[0]["root"]["pred_name"] == "API ready"
    assert [(depth, e["name"]) for depth, e in found[0]["downstream"]] == [(1, "App beta"), (2, "Go live")]
    assert found[0]["at_risk"] == 1


def test_dependencies_page_hides_projects_you_cannot_see(client, login):
    platform, mobile, launch, api, beta, live = _chain()
    login("pmo")
    assert "Go live" in client.get("/milestones/").get_data(as_text=True)
    member = make_user("member")
    sign_in(client, member)
    assert "API ready" not in client.get("/milestones/").get_data(as_text=True)


def test_stale_forecast_is_refused_with_409(client, login):
    platform, mobile, launch, api, beta, live = _chain()
    sign_in(client, platform.manager)
    assert client.post(f"/projects/{platform.code}/milestones/{api.id}",
                       data={"forecast_date": "2026-04-02", "version": 1}).status_code == 303
    stale = client.post(f"/projects/{platform.code}/milestones/{api.id}",
                        data={"forecast_date": "2026-05-30", "version": 1})
    assert stale.status_code == 409 and "2026-05-30" in stale.get_data(as_text=True)
    assert Milestone.get_by_id(api.id).forecast_date == D("2026-04-02")


def test_adding_a_milestone_that_waits_on_another_project(client, login):
    platform, mobile, launch, api, beta, live = _chain()
    sign_in(client, launch.manager)
    missing = client.post(f"/projects/{launch.code}/milestones/", data={"name": "", "due_date": "2026-06-01"})
    assert missing.status_code == 422
    # Launch's manager cannot see Platform, so cannot choose its milestone.
    refused = client.post(f"/projects/{launch.code}/milestones/",
                          data={"name": "Handover", "due_date": "2026-06-01", "depends_on": api.id})
    assert refused.status_code == 422
    sign_in(client, make_user("pmo"))
    ok = client.post(f"/projects/{launch.code}/milestones/",
                     data={"name": "Handover", "due_date": "2026-03-20", "depends_on": api.id})
    assert ok.status_code == 303
    assert Milestone.get(Milestone.name == "Handover").depends_on_id == api.id
    assert len(_notes(launch.manager)) == 1  # added already at risk: API ready is due after it


def test_only_the_manager_or_pmo_keep_milestones(client, login):
    platform, mobile, launch, api, beta, live = _chain()
    member = login("member")
    from portal.projects.models import ProjectMember
    ProjectMember.create(project=platform, user=member)
    assert client.post(f"/projects/{platform.code}/milestones/{api.id}",
                       data={"forecast_date": "2026-09-01", "version": 1}).status_code == 403
    assert client.post(f"/projects/{mobile.code}/milestones/", data={"name": "x", "due_date": "2026-06-01"}).status_code == 404


def test_the_upstream_manager_sees_who_waits_even_on_projects_they_cannot_open(client):
    from portal.projects.models import ProjectMember
    platform, mobile, launch, api, beta, live = _chain()
    sign_in(client, platform.manager)
    page = client.get(f"/projects/{platform.code}/milestones/").get_data(as_text=True)
    waited = page.split('id="waited-by"')[1].split("</article>")[0]
    assert "Nobody" not in waited
    assert "A milestone of another project" in waited and "2026-04-15" in waited and "API ready" in waited
    assert mobile.code not in waited and "App beta" not in waited  # Mobile is not open to them
    ProjectMember.create(project=mobile, user=platform.manager)
    waited = client.get(f"/projects/{platform.code}/milestones/").get_data(as_text=True).split(
        'id="waited-by"')[1].split("</article>")[0]
    assert mobile.code in waited and "App beta" in waited
