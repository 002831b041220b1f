"""Kept results: reused while the tables they read are unchanged, recomputed after any committed write to one.

On both databases, through the same connections the portal uses; "another worker" is a second
pool on the same database, as a second gunicorn worker or host would hold.
"""
import pytest

from portal.db import CHANGE_TABLE, Counter, db, make_database
from portal.memo import Memo, remember
from tests.factories import make_user


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _token(table):
    return db.obj.tokens([table]).get(table)


def _people():
    """What a page would compute: the names of every user (reads the user table only)."""
    from portal.auth.models import User
    return tuple(name for (name,) in User.select(User.name).order_by(User.name).tuples())


def test_a_committed_write_gives_its_table_a_new_token(ctx):
    make_user(name="Ada")
    first = _token("user")
    assert first is not None
    make_user(name="Brian")
    assert _token("user") not in (None, first)


def test_a_transaction_replaces_tokens_at_commit_and_a_rollback_leaves_them(ctx):
    make_user(name="Ada")
    before = _token("user")
    with db.atomic() as txn:
        make_user(name="Brian")
        assert _token("user") == before  # not before COMMIT
        txn.rollback()
    assert _token("user") == before
    with db.atomic():
        make_user(name="Chloe")
    assert _token("user") != before


def test_a_result_is_reused_until_a_table_it_read_changes(ctx):
    calls = []

    def compute():
        calls.append(1)
        return _people()

    make_user(name="Ada")
    assert remember("people", compute) == ("Ada",)
    assert remember("people", compute) == ("Ada",)
    assert len(calls) == 1

    Counter.insert(name="unrelated", value=1).execute()  # a table the result did not read
    assert remember("people", compute) == ("Ada",)
    assert len(calls) == 1

    make_user(name="Brian")
    assert remember("people", compute) == ("Ada", "Brian")
    assert len(calls) == 2


def test_a_write_by_another_worker_is_seen(ctx, database_url):
    make_user(name="Ada")
    assert remember("people", _people) == ("Ada",)
    other = make_database(database_url)  # another worker's pool on the same database
    with other.connection_context():
        other.execute_sql('UPDATE "user" SET "name" = %s'.replace("%s", other.param), ("Zoe",))
    other.close_all()
    assert remember("people", _people) == ("Zoe",)


def test_uncommitted_writes_are_neither_served_from_nor_kept_in_the_store(ctx):
    make_user(name="Ada")
    assert remember("people", _people) == ("Ada",)
    with db.atomic() as txn:
        make_user(name="Brian")
        assert remember("people", _people) == ("Ada", "Brian")  # this transaction sees its own write
        txn.rollback()
    assert remember("people", _people) == ("Ada",)  # the rolled-back row was never kept


def test_the_key_tells_results_apart(ctx):
    make_user(name="Ada")
    make_user(name="Brian")
    assert remember(("first", 1), lambda: _people()[:1]) == ("Ada",)
    assert remember(("first", 2), lambda: _people()[:2]) == ("Ada", "Brian")
    assert remember(("first", 1), lambda: pytest.fail("should have been kept")) == ("Ada",)


def test_the_store_keeps_the_most_recently_used_results(ctx):
    store = Memo(max_entries=2)
    make_user(name="Ada")
    store.remember("a", _people)
    store.remember("b", _people)
    store.remember("a", _people)  # a is now the most recent
    store.remember("c", _people)  # b goes
    assert store.misses == 3 and store.hits == 1
    store.remember("a", _people)
    assert store.hits == 2
    store.remember("b", _people)
    assert store.misses == 4


def test_the_token_table_itself_and_the_migration_ledger_are_not_tracked(ctx):
    make_user(name="Ada")
    tables = set(db.obj.tokens())
    assert "user" in tables
    assert CHANGE_TABLE not in tables and "schema_migration" not in tables


# --- kept pages (portal.memo.kept_page), through the pages people read ---------------------------

def _token_in(page: str) -> str:
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_kept_page_shows_an_edit_at_the_next_read(app, client, login):
    from tests.factories import make_project
    manager = make_user("manager", name="Mo Manager")
    project = make_project(name="Harbour crane", manager=manager)
    login("pmo")
    assert "Harbour crane" in client.get("/projects/").get_data(as_text=True)
    assert "Harbour crane" in client.get(f"/projects/{project.code}").get_data(as_text=True)

    # Renamed by another request (an admin's correction, an import): any committed write counts.
    from portal.projects.models import Project
    Project.update(name="Harbour crane renewal").where(Project.id == project.id).execute()

    assert "Harbour crane renewal" in client.get("/projects/").get_data(as_text=True)
    assert "Harbour crane renewal" in client.get(f"/projects/{project.code}").get_data(as_text=True)


def test_each_reader_of_a_kept_page_gets_their_own_csrf_token(app, login):
    from tests.conftest import sign_in
    from tests.factories import make_project
    pmo = make_user("pmo")
    make_project(name="Harbour crane")
    first, second = app.test_client(), app.test_client()
    sign_in(first, pmo)
    sign_in(second, pmo)
    page_one = first.get("/projects/").get_data(as_text=True)
    page_two = second.get("/projects/").get_data(as_text=True)  # the same person, another session: kept
    token_one, token_two = _token_in(page_one), _token_in(page_two)
    assert token_one != token_two
    assert "csrf-" not in page_two.split("csrf_token", 1)[1][:80]  # never the stand-in
    # A token works for its own session only, as on any page.
    assert second.post("/logout", data={"csrf_token": token_one}, csrf=False).status_code == 400
    response = second.post("/logout", data={"csrf_token": token_two}, csrf=False)
    assert response.status_code in (302, 303)


def test_a_flash_message_shows_once_on_a_kept_page(app, client, login):
    from tests.factories import make_project
    login("pmo")
    make_project(name="Harbour crane")
    client.get("/projects/")  # kept
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "Saved your view.")]
    assert "Saved your view." in client.get("/projects/").get_data(as_text=True)
    assert "Saved your view." not in client.get("/projects/").get_data(as_text=True)


def test_kept_pages_are_kept_per_person(app, client, login):
    from tests.conftest import sign_in
    from tests.factories import make_project
    manager = make_user("manager")
    project = make_project(name="Harbour crane", manager=manager)
    login("pmo")
    assert client.get(f"/projects/{project.code}").status_code == 200
    outsider = app.test_client()
    sign_in(outsider, make_user("member"))
    assert outsider.get(f"/projects/{project.code}").status_code == 404


def test_every_view_of_a_kept_article_is_counted(app, client, login):
    from portal.kb.models import Article, ArticleViewDay
    login("member")
    client.get("/kb/")  # the knowledge folder is read into the database
    found = Article.select().where(Article.deleted == False).first()  # noqa: E712
    assert found is not None
    url = f"/kb/{found.section}/{found.slug}"
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert sum(v.views for v in ArticleViewDay.select().where(ArticleViewDay.article == found.id)) == 3


def test_the_store_keeps_within_its_byte_budget(ctx):
    store = Memo(max_entries=100, max_bytes=3000)
    make_user(name="Ada")
    for key in "abcd":
        store.remember(key, _people, weigh=lambda _: 1000)
    assert store.weight <= 3000
    store.remember("a", _people, weigh=lambda _: 1000)  # the oldest went first
    assert store.misses == 5
    store.remember("d", _people, weigh=lambda _: 1000)
    assert store.hits == 1


def test_keeping_can_be_turned_off(ctx):
    ctx.config["KEEP_RESULTS"] = False
    calls = []
    make_user(name="Ada")
    for _ in range(2):
        remember("people", lambda: calls.append(1) or _people())
    assert len(calls) == 2


def test_a_result_kept_inside_another_makes_the_outer_one_depend_on_its_tables(ctx):
    from portal.projects.models import Project
    from tests.factories import make_project
    make_user(name="Ada")
    make_project(name="Harbour crane")
    remember("people", _people)  # kept on its own first

    def page():
        names = tuple(p.name for p in Project.select(Project.name))
        return names + remember("people", _people)  # a hit: reads no table this time

    first = remember("page", page)
    assert first[0] == "Harbour crane" and "Ada" in first and "Brian" not in first
    make_user(name="Brian")  # changes only what the inner result read
    assert "Brian" in remember("page", page)
