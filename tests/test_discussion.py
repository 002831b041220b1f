"""Discussion: comments on a project and on a risk, mentions, the edit window, deletion, preferences."""
import datetime

import pytest

from portal.discussion.models import Comment
from portal.notify.models import Notification
from portal.notify.preferences import notification_preference
from tests.conftest import sign_in
from tests.factories import make_project, make_user


@pytest.fixture
def team(app, client):
    author = make_user("member", name="Ada Byron")
    mei = make_user("member", name="Mei Lin")
    sam = make_user("member", name="Sam Carter")
    project = make_project(members=[author, mei, sam])
    outsider = make_user("member", name="Olga Outsider")
    sign_in(client, author)
    return project, author, mei, sam, outsider


def _post(client, project, body, target="project", target_id=None):
    return client.post(f"/projects/{project.code}/comments/{target}/{target_id or project.id}/", data={"body": body})


def test_a_mention_notifies_exactly_the_mentioned_members(app, client, team):
    project, author, mei, sam, outsider = team
    response = _post(client, project, "Thanks @Mei Lin, can you check this? @Olga Outsider @Ada Byron @Mei Lin")
    assert response.status_code == 303
    notified = {n.user_id for n in Notification.select()}
    assert notified == {mei.id}
    assert "Ada Byron mentioned you" in Notification.get().text


def test_comment_markdown_is_rendered_and_sanitised(app, client, team):
    project, *_ = team
    _post(client, project, "**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    page = client.get(f"/projects/{project.code}/discussion/").get_data(as_text=True)
    assert "<strong>bold</strong>" in page and "<script>alert" not in page and "javascript:" not in page


def test_htmx_post_returns_the_thread_and_empty_comment_is_422(app, client, hx, team):
    project, *_ = team
    url = f"/projects/{project.code}/comments/project/{project.id}/"
    ok = hx.post(url, data={"body": "Hello team"})
    assert ok.status_code == 200 and "Hello team" in ok.get_data(as_text=True) and "<html" not in ok.get_data(as_text=True)
    empty = hx.post(url, data={"body": "   "})
    assert empty.status_code == 422 and "Write something first." in empty.get_data(as_text=True)


def test_edit_within_15_minutes_shows_edited_and_notifies_new_mentions_only(app, client, team):
    project, author, mei, sam, _ = team
    _post(client, project, "Ping @Mei Lin")
    comment = Comment.get()
    response = client.post(f"/projects/{project.code}/comments/{comment.id}/edit",
                           data={"body": "Ping @Mei Lin and @Sam Carter"})
    assert response.status_code == 303
    page = client.get(f"/projects/{project.code}/discussion/").get_data(as_text=True)
    assert "(edited)" in page and "@Sam Carter" in page
    assert sorted(n.user_id for n in Notification.select()) == sorted([mei.id, sam.id])
    Comment.update(created_at=comment.created_at - datetime.timedelta(minutes=16)).execute()
    late = client.post(f"/projects/{project.code}/comments/{comment.id}/edit", data={"body": "too late"})
    assert late.status_code == 403
    sign_in(client, mei)
    assert client.get(f"/projects/{project.code}/comments/{comment.id}/edit").status_code == 403


def test_delete_by_author_or_pmo_only(app, client, team):
    project, author, mei, *_ = team
    _post(client, project, "First")
    _post(client, project, "Second")
    first, second = Comment.select().order_by(Comment.id)
    sign_in(client, mei)
    assert client.post(f"/projects/{project.code}/comments/{first.id}/delete").status_code == 403
    sign_in(client, author)
    assert client.post(f"/projects/{project.code}/comments/{first.id}/delete").status_code == 303
    sign_in(client, make_user("pmo"))
    assert client.post(f"/projects/{project.code}/comments/{second.id}/delete").status_code == 303
    page = client.get(f"/projects/{project.code}/discussion/").get_data(as_text=True)
    assert page.count("This comment was removed.") == 2 and "First" not in page


def test_risk_comments_and_outsiders_get_404(app, client, hx, team):
    project, author, mei, sam, outsider = team
    from portal.risks.models import Risk
    risk = Risk.create(project=project, title="Supplier late", category="supplier", probability=3, impact=4,
                       score=12, owner=author)
    assert _post(client, project, "Watch this @Sam Carter", "risk", risk.id).status_code == 303
    assert Notification.get().user_id == sam.id
    thread = hx.get(f"/projects/{project.code}/comments/risk/{risk.id}/").get_data(as_text=True)
    assert "Watch this" in thread
    other = make_project(members=[author])
    assert hx.get(f"/projects/{other.code}/comments/risk/{risk.id}/").status_code == 404
    assert hx.get(f"/projects/{project.code}/comments/nothing/1/").status_code == 404
    sign_in(client, outsider)
    assert client.get(f"/projects/{project.code}/discussion/").status_code == 404
    assert hx.get(f"/projects/{project.code}/comments/risk/{risk.id}/").status_code == 404
    assert _post(client, project, "hi").status_code == 404
    assert hx.get(f"/projects/{project.code}/mentions?q=mei").status_code == 404


def test_mention_autocomplete_lists_project_people(app, hx, team):
    project, *_ = team
    body = hx.get(f"/projects/{project.code}/mentions?q=me").get_data(as_text=True)
    assert 'data-mention="Mei Lin"' in body and "Sam Carter" not in body and "Olga" not in body


def test_executive_reads_the_discussion_but_cannot_post(app, client, team):
    project, *_ = team
    _post(client, project, "Visible to the board")
    sign_in(client, make_user("executive"))
    assert "Visible to the board" in client.get(f"/projects/{project.code}/discussion/").get_data(as_text=True)
    assert _post(client, project, "exec says").status_code == 403


def test_notification_preference_page(app, client, team):
    project, author, *_ = team
    assert notification_preference(author) == "immediate"  # e-mail each notice unless told otherwise
    assert client.post("/account/notifications", data={"mode": "digest"}).status_code == 303
    assert notification_preference(author) == "digest"
    assert client.post("/account/notifications", data={"mode": "portal"}).status_code == 303
    assert notification_preference(author.id) == "portal"
    assert client.post("/account/notifications", data={"mode": "carrier-pigeon"}).status_code == 422
    assert 'checked id="mode-0" name="mode" type="radio" value="portal"' in client.get("/account/notifications").get_data(as_text=True)



def test_status_reports_take_comments_and_submissions_appear_in_the_activity_feed(client, login):
    from tests.status_helpers import due_now, form_data
    manager = login("manager")
    teammate = make_user("member", name="Tess Mate")
    project = make_project(manager=manager, members=[teammate], name="Reported project")
    period = due_now(project)
    assert client.post(f"/projects/{project.code}/status/report", data=form_data(period)).status_code == 303
    from portal.status.models import StatusReport
    report = StatusReport.get()
    url = f"/projects/{project.code}/comments/status_report/{report.id}/"
    assert client.post(url, data={"body": "Looks right, @Tess Mate please check the budget."}).status_code == 303
    assert Comment.get().body.startswith("Looks right")
    assert Notification.select().where(Notification.user == teammate.id).count() == 1
    thread = client.get(url).get_data(as_text=True)
    assert "please check the budget" in thread
    feed = client.get(f"/projects/{project.code}/activity?kind=status_report").get_data(as_text=True)
    assert f"{project.code} status for {period}" in feed
    other = make_project()
    assert client.get(f"/projects/{other.code}/comments/status_report/{report.id}/").status_code == 404
