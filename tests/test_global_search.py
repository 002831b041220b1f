"""One search box: every kind found, grouped, and nothing from records the person may not see."""
import pytest

from portal.lessons.models import Lesson
from portal.search.services import search_everything
from tests.factories import make_project, make_ticket, make_user
from tests.risk_helpers import make_issue, make_risk

CANARY = "Zanzibar"


@pytest.fixture
def world(app):
    """One open project and one restricted project, each with a risk, an issue, a ticket and a lesson."""
    app.config["KB_SYNC_SECONDS"] = 0
    with app.test_request_context():  # results carry their links
        yield _world()


def _world():
    member, outsider, manager = make_user("member"), make_user("member"), make_user("manager")
    mine = make_project(name=f"{CANARY} open", manager=manager, members=[member])
    hidden = make_project(name=f"{CANARY} secret", members=[])
    for project, tag in ((mine, "open"), (hidden, "secret")):
        make_risk(project, title=f"{CANARY} {tag} risk")
        make_issue(project, title=f"{CANARY} {tag} issue")
        Lesson.create(project=project, category="other", recommendation=f"{CANARY} {tag} lesson")
    make_ticket(requester=member, subject=f"{CANARY} open ticket")
    make_ticket(requester=outsider, subject=f"{CANARY} secret ticket")
    make_user("member", name=f"Ada {CANARY}")
    return {"member": member, "outsider": outsider, "manager": manager}


def _titles(groups):
    return {g.kind: [h[0] for h in g.hits] for g in groups}


def test_a_member_finds_their_records_and_never_the_restricted_ones(world):
    found = _titles(search_everything(world["member"], CANARY.lower()))
    text = repr(found)
    assert "secret" not in text
    assert any("open" in t for t in found["projects"])
    assert found["risks"] == [f"{CANARY} open risk"] and found["issues"] == [f"{CANARY} open issue"]
    assert found["tickets"][0].endswith(f"{CANARY} open ticket")
    assert found["lessons"] == [f"{CANARY} open lesson"]
    assert found["people"] == [f"Ada {CANARY}"]


def test_the_pmo_sees_every_kind_including_restricted_records(world):
    found = _titles(search_everything(make_user("pmo"), CANARY))
    assert len(found["projects"]) == 2 and len(found["risks"]) == 2 and len(found["tickets"]) == 2
    assert len(found["lessons"]) == 2


def test_knowledge_articles_are_found_with_a_marked_snippet(client, login, world):
    login("member")
    client.get("/kb/")  # the knowledge folder is read into the index
    text = client.get("/search/?q=Scorin").get_data(as_text=True)
    assert "Knowledge articles" in text and "Risk management" in text


def test_page_and_fragment(client, hx, world):
    from tests.conftest import sign_in
    sign_in(client, world["member"])
    page = client.get(f"/search/?q={CANARY}").get_data(as_text=True)
    assert "<html" in page and f"{CANARY} open risk" in page and "secret" not in page
    fragment = hx.get(f"/search/?q={CANARY}").get_data(as_text=True)
    assert "<html" not in fragment and "Projects" in fragment and "secret" not in fragment
    assert "at least 2 characters" in client.get("/search/?q=a").get_data(as_text=True)
    assert "Nothing you may see matches" in client.get("/search/?q=qqqqzzzz").get_data(as_text=True)


def test_the_header_carries_the_search_box(client, login):
    login("member")
    page = client.get("/").get_data(as_text=True)
    assert 'id="global-search"' in page and 'aria-keyshortcuts="/"' in page


@pytest.mark.parametrize("q", ["%", "_", "\\", "'; DROP TABLE project; --", "x" * 5000, "\"", "a OR b", "rag*"])
def test_any_text_is_safe(client, login, q):
    login("member")
    assert client.get("/search/", query_string={"q": q}).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get("/search/?q=abc").status_code in (302, 303)


def test_a_persons_page_is_linked_only_where_it_opens(app, client, world):
    from portal.activity.services import load_person
    manager = world["manager"]
    with app.test_request_context():
        people = next(g for g in search_everything(manager, "Ada") if g.kind == "people").hits
        assert people[0][2] == ""  # Ada is on none of the manager's projects
        member_hits = next(g for g in search_everything(manager, world["member"].name) if g.kind == "people").hits
        link = next(url for title, _, url in member_hits if title == world["member"].name)
        assert link.endswith(f"/people/{world['member'].id}")
        assert load_person(world["member"].id, manager)  # and the page does open
