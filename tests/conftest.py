"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

`app` is parametrised by backend. SQLite tests each get a copy of a migrated
file; PostgreSQL tests share one migrated database created for the run and
emptied before each test. Live-server tests (tests/live.py) run gunicorn on a
database of their own per module. Under CI (CI=true) an unreachable PostgreSQL or a
missing Chromium fails the run instead of skipping.
"""
import os
import shutil
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from portal import create_app
from portal.db import MIGRATIONS_DIR, db, make_database, migration_runner
from tests.factories import make_user
from tests.imap_server import imap_server, mailbox  # noqa: F401  (a real IMAP server, for every module)
from tests.live import _pg_live_url, live, portal_server  # noqa: F401  (the live-server fixtures, for every module)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get("PORTAL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
KNOWLEDGE_FIXTURE = Path(__file__).parent / "data" / "knowledge"


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run tests marked slow (the full live-server fuzz sweep)")


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only with --slow: the default run stays fast enough for every push."""
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _missing(reason: str):
    """Fail under CI, skip locally: a skipped database or browser is not a pass."""
    if IN_CI:
        pytest.fail(f"{reason} (required under CI)", pytrace=False)
    pytest.skip(reason)


def _migrate(url: str) -> None:
    db.initialize(make_database(url))
    with db.connection_context():
        migration_runner().up()
    _close_pool()


def _close_pool():
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
    elif not db.is_closed():
        db.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request):
    """The database kind under test."""
    return request.param


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_url():
    """A PostgreSQL database created (and migrated) for this run, dropped after it."""
    yield from migrated_pg_database("portal_test")


def migrated_pg_database(prefix: str):
    """Create a PostgreSQL database named after `prefix`, migrate it, yield its URL, drop it afterwards."""
    try:
        import psycopg2
        admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except Exception as exc:  # not installed, not running, refused
        _missing(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    admin.autocommit = True
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database: a commit need not wait for the disk (the server's other databases still do).
        cur.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    _migrate(url)
    yield url
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _empty_pg(url: str) -> None:
    """Empty every table a test wrote to and restart every id sequence, as TRUNCATE … RESTART IDENTITY would.

    One query finds the tables holding rows; only those are emptied, by DELETE with foreign-key
    triggers off for the transaction (order does not matter then). Truncating all 60-odd tables
    before each test cost about a second on this machine; this costs a few milliseconds.
    """
    database = make_database(url)
    with database.connection_context():
        tables = [t for t in database.get_tables() if t != "schema_migration"]
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        filled = [row[0] for row in database.execute_sql(probe).fetchall()] if tables else []
        # A test may record a migration this code does not have (a "newer release"): forget it.
        known = [p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py")]
        with database.atomic():
            if filled:
                database.execute_sql("SET LOCAL session_replication_role = replica")
                for table in filled:
                    database.execute_sql(f'DELETE FROM "{table}"')
            # Every sequence but the migration table's (its rows stay, so must its ids).
            database.execute_sql("SELECT setval(c.oid::regclass, s.seqstart, false) FROM pg_class c "
                                 "JOIN pg_sequence s ON s.seqrelid = c.oid "
                                 "WHERE c.relnamespace = 'public'::regnamespace "
                                 "AND c.oid IS DISTINCT FROM pg_get_serial_sequence('schema_migration', 'id')::regclass")
            database.execute_sql("DELETE FROM schema_migration WHERE name NOT IN (%s)"
                                 % ", ".join(["%s"] * len(known)), known)
    database.close_all()


@pytest.fixture
def database_url(backend, request, tmp_path):
    """A migrated, empty database of the current backend."""
    if backend == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "portal.sqlite3"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_pg_url")
    _empty_pg(url)
    return url


class PortalClient(FlaskClient):
    """A test client that sends the CSRF header on state changes, as the pages do."""

    def open(self, *args, csrf=True, **kwargs):
        # Read the whole body and close the response, as a browser would: a file sent with
        # send_file is otherwise left open until the garbage collector finds it.
        kwargs.setdefault("buffered", True)
        method = kwargs.get("method", "GET").upper()
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The signed token Flask-WTF would put in this session's pages."""
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", uuid.uuid4().hex)
        app = self.application
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def app(database_url, tmp_path):
    """The portal on a fresh database, with a knowledge folder of its own."""
    knowledge = tmp_path / "knowledge"
    if KNOWLEDGE_FIXTURE.exists():
        shutil.copytree(KNOWLEDGE_FIXTURE, knowledge)
    else:
        knowledge.mkdir()
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "KNOWLEDGE_DIR": str(knowledge),
        "DEMO_MODE": False,
    })
    application.test_client_class = PortalClient
    # No app context is held across requests: Flask would share `g` between
    # them (and so flask-login's cached user). The test thread keeps its own
    # database connection, which requests made by the test client reuse.
    db.connect(reuse_if_open=True)
    yield application
    _close_pool()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """`login(role)` creates a user of that role and signs the client in as them."""
    def _login(role="member", **fields):
        user = make_user(role=role, **fields)
        sign_in(client, user)
        return user
    return _login


def sign_in(client, user):
    """Put `user` in the client's session, as a successful sign-in would."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


class HxClient:
    """The client, sending the headers htmx sends."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, headers={"HX-Request": "true", **kwargs.pop("headers", {})}, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers={"HX-Request": "true", **kwargs.pop("headers", {})}, **kwargs)


@pytest.fixture
def hx(client):
    return HxClient(client)


# --- browser -------------------------------------------------------------------

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def _browser():
    """One headless Chromium for the run, driven by Playwright."""
    if not os.path.exists(CHROMIUM):
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _missing(f"Playwright is not installed: {exc}")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


def read_whole(app):
    """`app`, answering with its whole body read and its iterator closed before the server writes it.

    werkzeug's development server closes an answer's iterator only after draining the socket; when
    the browser resets the connection first (a favicon fetch cut short by the next navigation), the
    drain raises and a streamed static file stays open until the garbage collector warns. Streaming
    itself is tested under gunicorn (tests/live.py); the browser tests read each body whole.
    """
    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
    return wsgi


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free loopback port, in a thread."""
    import threading

    from werkzeug.serving import make_server

    app.config["TESTING"] = False  # real error pages, as users see them
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(_browser, live_server):
    """A fresh browser tab (own cookies) whose relative URLs point at the live server."""
    context = _browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def browser_sign_in(page, user, password=None):
    """Sign in through the login form, as a person would (signing out whoever was signed in).

    The current page is left first: its htmx polling would otherwise get a 401 once
    the cookies go, and the HX-Redirect to the login page would race our navigation.
    """
    from tests.factories import PASSWORD
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
