"""An @word that names nobody on the project is pointed out before posting and after."""
import pytest

from portal.discussion.services import unresolved_mentions
from tests.conftest import sign_in
from tests.factories import make_project, make_user

PEOPLE = [(1, "Mei Lin"), (2, "Sam Carter"), (3, "Sam")]


@pytest.mark.parametrize("body,expected", [
    ("Thanks @Mei Lin, can you check?", []),
    ("@mei lin and @SAM CARTER", []),
    ("@Sam, and @Sam Carter.", []),
    ("Ping @xyz please", ["@xyz"]),
    ("@Mei Linda is new", ["@Mei"]),
    ("mail me at ada@example.test", []),
    ("@ alone", []),
    ("(@ghost) and @ghost again, @other.", ["@ghost", "@other"]),
    ("", []),
])
def test_unresolved_mentions(body, expected):
    assert unresolved_mentions(PEOPLE, body) == expected


def test_a_long_text_of_ats_is_bounded():
    assert len(unresolved_mentions(PEOPLE, "@a " * 50_000)) == 1  # each word once
    assert len(unresolved_mentions(PEOPLE, " ".join(f"@w{i}" for i in range(100)))) == 10


@pytest.fixture
def thread(app, client):
    author = make_user("member", name="Ada Byron")
    project = make_project(members=[author, make_user("member", name="Mei Lin")])
    sign_in(client, author)
    return project


def test_the_live_check_names_the_unknown_mention(client, hx, thread):
    url = f"/projects/{thread.code}/mentions/check"
    text = hx.get(url, query_string={"body": "Ask @xyz and @Mei Lin"}).get_data(as_text=True)
    assert "@xyz matches nobody on this project" in text and "Mei" not in text
    assert hx.get(url, query_string={"body": "Ask @Mei Lin"}).get_data(as_text=True).strip() == ""


def test_the_live_check_respects_project_visibility(client, hx, thread):
    hidden = make_project()
    assert hx.get(f"/projects/{hidden.code}/mentions/check?body=@x").status_code == 404


def test_posting_says_which_mention_told_nobody(client, hx, thread):
    url = f"/projects/{thread.code}/comments/project/{thread.id}/"
    text = hx.post(url, data={"body": "Over to @xyz"}).get_data(as_text=True)
    assert "Comment posted, but @xyz matches nobody" in text
    plain = client.post(url, data={"body": "Again @nobody"}, follow_redirects=True).get_data(as_text=True)
    assert "@nobody matches nobody" in plain


def test_the_comment_box_carries_the_check_and_ask_the_pmo_focuses_its_subject(client, thread):
    page = client.get(f"/projects/{thread.code}/discussion/").get_data(as_text=True)
    assert "/mentions/check" in page
    new = client.get("/helpdesk/new").get_data(as_text=True)
    assert 'autofocus' in new.split('name="subject"')[0].rsplit("<input", 1)[1] + new.split('name="subject"')[1][:200]
