"""The home page tells each person what is waiting for them."""
import datetime as dt

from tests.factories import make_project, make_ticket


def test_pmo_sees_requests_to_review_and_tickets_to_pick_up(client, login):
    login("pmo")
    make_project(state="submitted")
    make_project(state="in_review")
    make_ticket()
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> project request(s) waiting for review" in page
    assert "<strong>1</strong> unassigned help-desk ticket(s)" in page


def test_member_sees_overdue_risk_reviews_and_answers_to_rate(client, login):
    from portal.risks.models import Risk
    member = login("member")
    project = make_project(members=[member])
    Risk.create(project=project.id, title="Vendor late", category="technical", probability=4, impact=4,
                score=16, owner=member.id, status="open", review_date=dt.date.today() - dt.timedelta(days=2))
    make_ticket(requester=member, status="resolved")
    page = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> risk(s) you own are past their review date" in page
    assert "<strong>1</strong> answered question(s) to confirm or rate" in page
    assert "waiting for review" not in page  # not a PMO item


def test_nothing_waiting_says_so(client, login):
    login("executive")
    assert "Nothing is waiting for you." in client.get("/").get_data(as_text=True)


def test_risks_on_closed_projects_do_not_wait_for_review(client, login):
    from portal.risks.models import Risk
    member = login("member")
    project = make_project(state="closed", members=[member])
    Risk.create(project=project.id, title="Old risk", category="technical", probability=4, impact=4,
                score=16, owner=member.id, status="open", review_date=dt.date(2026, 1, 1))
    assert "past their review date" not in client.get("/").get_data(as_text=True)
