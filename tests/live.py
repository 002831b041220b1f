"""The portal under a real server: gunicorn on a loopback port, driven over HTTP.

The test client reads a response inside the request that made it; a real server reads a
streamed body after the request's teardown, sends files through its own file wrapper and
cuts a connection when the body fails half-way. These fixtures catch what only shows there.

`portal_server` (one per test module and backend) starts on an empty migrated database, copies a
knowledge folder, and starts gunicorn with two sync workers. `live` (per test) points the
test process's database at the same database, so the factories seed data the server sees,
and hands out `LiveSession`s: `requests` sessions that sign in through the real form.
Data accumulate within a module: tests assert on what they seeded (their own people,
department or project), not on whole tables.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from portal import create_app
from portal.db import db
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
KNOWLEDGE_FIXTURE = Path(__file__).parent / "data" / "knowledge"
TOKEN_IN_FORM = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN_IN_BODY = re.compile(r'"X-CSRFToken": "([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveSession(requests.Session):
    """A browser-like session against the live server: relative URLs, CSRF on state changes."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url
        self._token = None

    def request(self, method, url, *args, csrf=True, **kwargs):
        """Send like requests does; adds the base URL, a timeout and (for writes) the CSRF header."""
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", 30)
        if csrf and method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        response = super().request(method, url, *args, **kwargs)
        if "text/html" in response.headers.get("Content-Type", ""):
            found = TOKEN_IN_BODY.search(response.text)
            if found:
                self._token = found.group(1)
        return response

    def csrf_token(self) -> str:
        """The token the pages of this session carry (read from the home page when none was seen yet)."""
        if self._token is None:
            self.get("/", allow_redirects=False)
        return self._token or ""

    def sign_in(self, user, password: str = PASSWORD, next_url: str | None = None) -> requests.Response:
        """Sign in through the login form as a person would; returns the redirect it answers with."""
        page = self.get("/login", params={"next": next_url} if next_url else None, allow_redirects=False)
        token = TOKEN_IN_FORM.search(page.text)
        assert token, f"no CSRF field on the login page ({page.status_code})"
        fields = {"csrf_token": token.group(1), "email": user.email, "password": password}
        if next_url:
            fields["next"] = next_url
        response = self.post("/login", data=fields, csrf=False, allow_redirects=False)
        assert response.status_code in (302, 303), f"sign-in refused: {response.status_code}"
        self._token = None  # a fresh session at sign-in: the old token is void
        return response


class PortalServer:
    """gunicorn serving the portal on a database and folders of its own."""

    def __init__(self, database_url: str, folder: Path):
        self.database_url = database_url
        self.knowledge = folder / "knowledge"
        self.uploads = folder / "uploads"
        self.log_path = folder / "gunicorn.log"
        self.config = {
            "DATABASE_URL": database_url, "SECRET_KEY": "live-test-secret", "KNOWLEDGE_DIR": str(self.knowledge),
            "UPLOAD_DIR": str(self.uploads), "DEMO_MODE": False,
            # The fuzz sweep posts junk to /login from one address; the throttle has tests of its own.
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 1_000_000, "LOGIN_MAX_FAILURES_PER_ACCOUNT": 1_000_000,
            "LOGIN_MAX_FAILURES_PER_DEVICE": 1_000_000, "RESET_MAX_PER_ADDRESS": 1_000_000,
        }
        self.app = create_app({**self.config, "TESTING": True})
        self.database = db.obj  # the test process's own connection(s) to the same database
        self.process = None
        self.base_url = ""

    def start(self):
        """Mark the upload folder as `portal db upgrade` does, start gunicorn and wait until /readyz answers 200."""
        from portal.system import UPLOAD_FOLDER_ID, set_value
        from portal.uploads import mark_folder
        with self.bound():
            mark_folder(str(self.uploads), "live-test-uploads")
            set_value(UPLOAD_FOLDER_ID, "live-test-uploads")
        for _attempt in range(3):
            port = _free_port()
            self.base_url = f"http://127.0.0.1:{port}"
            env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_SECRET_KEY": self.config["SECRET_KEY"]}
            self.log = open(self.log_path, "ab")
            # The app factory with literal arguments: gunicorn evaluates them, no wsgi file needed.
            spec = f"portal:create_app({self.config!r})"
            self.process = subprocess.Popen(
                [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
                 "--graceful-timeout", "5", "--no-control-socket", spec],
                cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready():
                return self
            self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log_tail()}")

    def _wait_ready(self, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                # Ready, not merely alive: database reachable, schema current, upload folder the shared one.
                if requests.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:  # refused, or a worker still booting
                pass
            time.sleep(0.1)
        return False

    def stop(self):
        """Stop gunicorn (its own process group only) and close the test process's connections."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def log_tail(self, lines: int = 60) -> str:
        """The end of gunicorn's log, for failure messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def error_count(self) -> int:
        """How many requests the workers failed to answer (tracebacks in the log)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text.count("Traceback (most recent call last)")

    @contextmanager
    def bound(self):
        """This process's `db` pointed at the server's database, in an app context, for the factories."""
        db.initialize(self.database)
        with self.app.app_context():
            db.connect(reuse_if_open=True)
            try:
                yield self
            finally:
                if not db.is_closed():
                    db.close()

    def exceptions(self) -> dict:
        """How often each exception ended a request, by its last line (numbers shortened), from the log."""
        from collections import Counter
        found = Counter()
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        for i, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                last = next((x for x in lines[i + 1:] if x and not x[0].isspace()), "?")
                found[re.sub(r"\d{12,}", "N", last)[:200]] += 1
        return dict(found.most_common())

    def session(self) -> LiveSession:
        """A new anonymous session against this server."""
        return LiveSession(self.base_url)


@pytest.fixture(scope="session")
def _pg_live_url():
    """A PostgreSQL database for the live servers, created once per run (creating one costs seconds).

    Not the shared test database: that one is emptied before every test, and a server
    outlives a test. Each server empties this one when it starts.
    """
    from tests.conftest import migrated_pg_database
    yield from migrated_pg_database("portal_live")


@pytest.fixture(scope="module")
def portal_server(backend, request, tmp_path_factory):
    """gunicorn serving the portal on a migrated database of `backend`, for one test module."""
    folder = tmp_path_factory.mktemp(f"live-{backend}")
    if backend == "sqlite":
        path = folder / "portal.sqlite3"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        from tests.conftest import _empty_pg
        url = request.getfixturevalue("_pg_live_url")
        _empty_pg(url)
    shutil.copytree(KNOWLEDGE_FIXTURE, folder / "knowledge")
    server = PortalServer(url, folder)
    try:
        yield server.start()
    finally:
        server.stop()
        if hasattr(server.database, "close_all"):
            server.database.close_all()
        elif not server.database.is_closed():
            server.database.close()


@pytest.fixture
def live(portal_server):
    """The module's server, with this test process bound to its database (for the factories)."""
    with portal_server.bound():
        yield portal_server


def assert_complete(response: requests.Response) -> None:
    """The body arrived whole: as long as Content-Length said, or a chunked body that ended properly.

    requests raises ChunkedEncodingError / a short read for a cut stream when the body is read;
    reading it here makes sure a dropped connection fails the test rather than passing quietly.
    """
    response.content  # noqa: B018 - read the whole body: a cut stream raises here
    length = response.headers.get("Content-Length")
    if length is not None and response.request.method != "HEAD":
        assert wire_length(response) == int(length), f"{response.url}: {wire_length(response)} of {length} bytes"


def wire_length(response: requests.Response) -> int:
    """Bytes of body that came over the wire (a gzipped page is longer once requests decodes it)."""
    response.content  # noqa: B018 - the count is complete only once the body is read
    return response.raw.tell()
