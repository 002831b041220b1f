"""Benefits and lessons through closure, the PMO's review, and the lesson search."""
import pytest

from portal.lessons.models import Benefit, Lesson
from portal.projects.models import Project
from tests.conftest import sign_in
from tests.factories import make_project, make_user

LESSON = {"category": "suppliers", "went_well": "Weekly supplier calls",
          "to_improve": "Sign the contract before kick-off", "recommendation": "Start procurement at intake"}


@pytest.fixture
def project(app, client):
    manager = make_user("manager")
    member = make_user("member")
    project = make_project(manager=manager, members=[member], benefits="Save 2 FTE in accounts payable")
    sign_in(client, manager)
    return project


def test_benefits_and_lessons_flow_through_closure(app, client, project):
    base = f"/projects/{project.code}/lessons"
    assert "Save 2 FTE in accounts payable" in client.get(f"{base}/close").get_data(as_text=True)
    assert client.post(f"{base}/benefits", data={"description": "Fewer manual invoices", "measure": "Invoices/month",
                                                 "target": "-60%"}).status_code == 303
    benefit = Benefit.get()
    closing = client.post(f"{base}/close", data={"comment": "Delivered on time", **LESSON})
    assert closing.status_code == 303
    assert Project.get_by_id(project.id).state == "closed"
    assert Lesson.get().to_improve == "Sign the contract before kick-off"
    realised = client.post(f"{base}/benefits/{benefit.id}", data={
        f"b{benefit.id}-description": "Fewer manual invoices", f"b{benefit.id}-measure": "Invoices/month",
        f"b{benefit.id}-target": "-60%", f"b{benefit.id}-actual": "-55%", f"b{benefit.id}-realised_on": "2026-10-01",
        f"b{benefit.id}-version": "1"})
    assert realised.status_code == 303
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "-55%" in page and "Sign the contract before kick-off" in page and "Not reviewed" in page
    stale = client.post(f"{base}/benefits/{benefit.id}", data={f"b{benefit.id}-description": "Other",
                                                               f"b{benefit.id}-version": "1"})
    assert stale.status_code == 409
    assert client.post(f"{base}/benefits/{benefit.id}/review", data={"review": "confirmed"}).status_code == 403
    sign_in(client, make_user("pmo", name="Pia Review"))
    assert client.post(f"{base}/benefits/{benefit.id}/review",
                       data={"review": "confirmed", "review_note": "Checked with finance"}).status_code == 303
    assert "Confirmed by Pia Review: Checked with finance" in client.get(f"{base}/").get_data(as_text=True)


def test_closing_needs_a_note_and_a_lesson_and_closes_nothing_otherwise(app, client, project):
    base = f"/projects/{project.code}/lessons"
    no_lesson = client.post(f"{base}/close", data={"comment": "Done", "category": "suppliers"})
    assert no_lesson.status_code == 422 and "Say what went well or what to improve." in no_lesson.get_data(as_text=True)
    no_note = client.post(f"{base}/close", data={"comment": "", **LESSON})
    assert no_note.status_code == 422
    assert Project.get_by_id(project.id).state == "active" and Lesson.select().count() == 0


def test_only_the_manager_or_pmo_may_close(app, client, project):
    sign_in(client, project.members.get().user)
    response = client.post(f"/projects/{project.code}/lessons/close", data={"comment": "Done", **LESSON})
    assert response.status_code == 403
    assert Project.get_by_id(project.id).state == "active"


def test_project_page_offers_closing_with_lessons(app, client, project):
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert f"/projects/{project.code}/lessons/close" in page


def test_search_finds_lessons_of_visible_projects_only(app, client, hx, project):
    Benefit.create(project=project, description="Faster payments")  # the closure rules want a benefit recorded
    client.post(f"/projects/{project.code}/lessons/close", data={"comment": "Done", **LESSON})
    hidden = make_project(name="Secret merger")
    Lesson.create(project=hidden, category="suppliers", to_improve="Contract signed too late at the merger")
    found = client.get("/lessons/?q=contract").get_data(as_text=True)
    assert "Sign the contract before kick-off" in found and "merger" not in found
    fragment = hx.get("/lessons/?q=procurement&category=suppliers").get_data(as_text=True)
    assert "Start procurement at intake" in fragment and "<html" not in fragment
    assert "No lessons match." in hx.get("/lessons/?q=procurement&category=technology").get_data(as_text=True)
    sign_in(client, make_user("pmo"))
    assert "merger" in client.get("/lessons/?q=contract").get_data(as_text=True)


def test_demo_shows_documents_comments_benefits_and_lessons(app, tmp_path):
    import random

    from portal.activity.demo import demo_collaboration
    from portal.demo import _small_users
    from portal.discussion.models import Comment
    from portal.documents.models import Document
    from portal.notify.models import Notification
    from portal.projects.demo import small_portfolio
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        _small_users()
        small_portfolio(random.Random(1))
        assert "document(s) added" in demo_collaboration("small", random.Random(1))
        assert Document.select().where(Document.latest > 1).count() >= 2
        assert Comment.select().where(Comment.body.contains("@")).count() >= 2
        assert Notification.select().where(Notification.text.contains("mentioned you")).count() >= 3
        closed = Project.get(Project.name == "Office move Lyon")
        assert Benefit.select().where(Benefit.project == closed.id).count() == 2
        assert Lesson.select().where(Lesson.project == closed.id).count() == 2
        assert "0 document(s) added" in demo_collaboration("small", random.Random(1))
        assert Lesson.select().count() == 2


def test_changing_a_reviewed_benefit_asks_for_a_new_review(app, client, project):
    pmo = make_user("pmo")
    benefit = Benefit.create(project=project.id, description="Fewer picking errors", measure="errors/month",
                             target="-50%", actual="-40%", review="confirmed", review_note="checked",
                             reviewed_by=pmo.id)
    from portal.lessons.services import update_benefit
    manager = project.manager
    update_benefit(benefit, project, manager, benefit.version,
                   {"description": "Fewer picking errors", "measure": "errors/month", "target": "-50%",
                    "actual": "-90%", "realised_on": None})
    fresh = Benefit.get_by_id(benefit.id)
    assert fresh.actual == "-90%" and fresh.review == "" and fresh.reviewed_by_id is None
