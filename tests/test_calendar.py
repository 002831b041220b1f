"""The private calendar feed: valid iCalendar read back with `icalendar`, stable UIDs, the right events
for each person, a new address ends the old one, and the secret never reaches the log."""
import datetime
import re

from icalendar import Calendar

from portal.milestones.models import Milestone
from portal.risks.models import Risk
from tests.factories import make_project, make_user
from tests.risk_helpers import make_risk

FEED = re.compile(r'value="(http://localhost/calendar/[A-Za-z0-9_-]+\.ics)"')


def _feed_url(client) -> str:
    html = client.post("/account/calendar").get_data(as_text=True)
    return FEED.search(html).group(1).replace("http://localhost", "")


def _events(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {}
    for event in calendar.walk("VEVENT"):
        assert event["DTSTAMP"] and event["DTSTART"]
        events[str(event["UID"])] = event
    return events


def test_a_manager_s_feed_has_reports_due_reviews_and_milestones(app, client, login):
    manager = login("manager")
    project = make_project(manager=manager, name="Depot move", reporting_cadence="monthly")
    review = datetime.date.today() + datetime.timedelta(days=5)
    risk = make_risk(project, owner=manager, title="Lease may lapse", review_date=review)
    gate = Milestone.create(project=project, name="Go-live", due_date=datetime.date.today() + datetime.timedelta(days=9))
    stranger = make_project(name="Not mine")
    Milestone.create(project=stranger, name="Someone else's gate", due_date=datetime.date.today())

    url = _feed_url(client)
    events = _events(client, url)
    host = "127.0.0.1"  # from PORTAL_BASE_URL's default
    review_event = events[f"risk-review-{risk.id}@{host}"]
    assert review_event["DTSTART"].dt == review and "Lease may lapse" in str(review_event["SUMMARY"])
    assert events[f"milestone-{gate.id}@{host}"]["DTSTART"].dt == gate.due_date
    due = [e for uid, e in events.items() if uid.startswith(f"status-{project.id}-")]
    assert len(due) >= 3 and all("Status report due: " + project.code in str(e["SUMMARY"]) for e in due)
    assert not any("Someone else" in str(e["SUMMARY"]) for e in events.values())

    # Reloading after a change keeps every UID: calendar apps move the event instead of adding one.
    Risk.update(review_date=review + datetime.timedelta(days=7)).where(Risk.id == risk.id).execute()
    again = _events(client, url)
    assert set(again) == set(events)
    assert again[f"risk-review-{risk.id}@{host}"]["DTSTART"].dt == review + datetime.timedelta(days=7)


def test_the_pmo_sees_the_portfolio_s_milestones_and_a_member_only_their_projects(app, client, login):
    member = make_user("member")
    mine = make_project(name="Ours", members=[member])
    other = make_project(name="Theirs")
    ours = Milestone.create(project=mine, name="Our gate", due_date=datetime.date.today())
    theirs = Milestone.create(project=other, name="Their gate", due_date=datetime.date.today())
    login("pmo")
    pmo_events = _events(client, _feed_url(client))
    assert {f"milestone-{ours.id}@127.0.0.1", f"milestone-{theirs.id}@127.0.0.1"} <= set(pmo_events)
    from tests.conftest import sign_in
    sign_in(client, member)
    member_events = _events(client, _feed_url(client))
    assert f"milestone-{ours.id}@127.0.0.1" in member_events
    assert f"milestone-{theirs.id}@127.0.0.1" not in member_events


def test_a_new_address_ends_the_old_one_and_switching_off_ends_both(app, client, login):
    login("member")
    page = client.get("/account/calendar").get_data(as_text=True)
    assert "You have no calendar feed." in page
    first = _feed_url(client)
    assert client.get(first).status_code == 200
    assert first not in client.get("/account/calendar").get_data(as_text=True)  # shown once only
    second = _feed_url(client)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    client.post("/account/calendar/stop")
    assert client.get(second).status_code == 404
    assert client.get("/calendar/not-a-secret.ics").status_code == 404


def test_a_deactivated_person_s_feed_stops(app, client, login):
    from portal.auth.services import update_user
    admin = make_user("admin")
    user = login("manager")
    url = _feed_url(client)
    update_user(user, admin, user.version, active=False)
    assert client.get(url).status_code == 404


def test_the_feed_secret_never_reaches_the_log(app, client, login, capsys):
    login("member")
    url = _feed_url(client)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    client.get(url)
    client.get(url.replace(".ics", ""))  # a mistyped address carries the secret too
    logged = capsys.readouterr().err
    assert "GET /calendar/*** 200" in logged and "GET /calendar/*** 404" in logged
    assert secret not in logged


def test_gate_reviews_reach_the_manager_s_and_the_pmo_s_feeds_with_stable_uids(app, client, login):
    from portal.gates.models import GateReview
    from portal.gates.phases import current_model, enter_phase
    from tests.conftest import sign_in
    today = datetime.date.today()
    manager = login("manager")
    mine = make_project(manager=manager, name="Depot move", start_date=today - datetime.timedelta(days=10))
    other = make_project(name="Not mine", start_date=today - datetime.timedelta(days=70))
    make_project(manager=manager, name="Finished", state="closed")
    url = _feed_url(client)
    events = _events(client, url)
    gate = events[f"gate-{mine.id}-plan@127.0.0.1"]  # the default model: Initiate (60 days), then Plan
    assert gate["DTSTART"].dt == today + datetime.timedelta(days=50)
    assert str(gate["SUMMARY"]) == f"Gate review: {mine.code} Depot move: Initiate → Plan"
    assert str(gate["URL"]).endswith(f"/projects/{mine.code}/gates/")
    assert [uid for uid in events if uid.startswith("gate-")] == [f"gate-{mine.id}-plan@127.0.0.1"]

    # Asked for: the same event says so; the reload keeps its UID.
    GateReview.create(project=mine, from_key="initiate", from_name="Initiate", to_key="plan", to_name="Plan",
                      requested_by=manager)
    again = _events(client, url)
    assert set(again) == set(events)
    assert "awaiting decision" in str(again[f"gate-{mine.id}-plan@127.0.0.1"]["SUMMARY"])
    # Passed: the next gate (into Execute) is due when Plan's 90 days run out.
    number, model = current_model()
    enter_phase(mine.id, number, model, "initiate", model["phases"][1])
    later = _events(client, url)
    assert f"gate-{mine.id}-plan@127.0.0.1" not in later
    assert later[f"gate-{mine.id}-execute@127.0.0.1"]["DTSTART"].dt == today + datetime.timedelta(days=90)

    sign_in(client, make_user("pmo"))
    portfolio = _events(client, _feed_url(client))
    overdue = portfolio[f"gate-{other.id}-plan@127.0.0.1"]
    assert overdue["DTSTART"].dt == today - datetime.timedelta(days=10) and "(overdue)" in str(overdue["SUMMARY"])
    assert f"gate-{mine.id}-execute@127.0.0.1" in portfolio
