"""Kept pages under a real server: two gunicorn workers each keep a page, and a change made
through one of them (or by another process) shows on every read that follows, from either."""
import uuid

from tests.factories import make_project, make_user

READS = 12  # with two workers and new connections each time, both answer several of these


def _names_seen(session, url, marker):
    return [marker in session.get(url).text for _ in range(READS)]


def test_an_edit_shows_at_once_on_pages_both_workers_kept(live):
    tag = uuid.uuid4().hex[:6]
    pmo = make_user("pmo", email=f"pmo-{tag}@example.test")
    manager = make_user("manager", email=f"mgr-{tag}@example.test")
    project = make_project(name=f"Harbour crane {tag}", manager=manager)
    reader = live.session()
    assert reader.sign_in(pmo).status_code in (302, 303)
    assert all(_names_seen(reader, "/projects/", f"Harbour crane {tag}"))
    assert all(_names_seen(reader, f"/projects/{project.code}", f"Harbour crane {tag}"))

    # Renamed by another process writing to the same database (an import, an admin's script).
    from portal.projects.models import Project
    Project.update(name=f"Harbour crane renewal {tag}").where(Project.id == project.id).execute()

    assert all(_names_seen(reader, "/projects/", f"Harbour crane renewal {tag}"))
    assert all(_names_seen(reader, f"/projects/{project.code}", f"Harbour crane renewal {tag}"))


def test_a_kept_page_posts_with_its_own_sessions_token(live):
    tag = uuid.uuid4().hex[:6]
    pmo = make_user("pmo", email=f"pmo2-{tag}@example.test")
    make_project(name=f"Token check {tag}")
    first, second = live.session(), live.session()
    first.sign_in(pmo)
    second.sign_in(pmo)
    for _ in range(4):  # both workers keep the page
        first.get("/projects/")
    page = second.get("/projects/")
    assert page.status_code == 200 and f"Token check {tag}" in page.text
    # The token the kept page carries (the session sends the last page's) works for this session.
    out = second.post("/logout", allow_redirects=False)
    assert out.status_code in (302, 303)
    assert second.get("/projects/", allow_redirects=False).status_code in (302, 303)  # signed out
