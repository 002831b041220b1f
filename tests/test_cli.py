"""The `portal` command: database upgrade, users and demo data (backups: test_backup.py)."""
import uuid

import pytest
from click.testing import CliRunner

from portal.cli import main
from tests.conftest import PG_ADMIN_URL, _missing


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """A database with no tables at all, of the current backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    try:
        import psycopg2
        admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except Exception as exc:
        _missing(f"PostgreSQL is not reachable: {exc}")
    admin.autocommit = True
    name = f"portal_cli_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    from portal.db import db
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def portal(empty_database_url, monkeypatch, tmp_path):
    """Run `portal …` against the empty database; returns the click result."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(tmp_path / "uploads"))  # demo documents stay in the test folder
    monkeypatch.setenv("PORTAL_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))  # and so do the shipped articles
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    return run


def test_db_upgrade_from_empty_then_again_is_a_no_op(portal):
    first = portal("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "0001_foundation" in first.output
    second = portal("db", "upgrade")
    assert second.exit_code == 0 and "up to date" in second.output
    status = portal("db", "status")
    assert status.exit_code == 0 and "Up to date." in status.output


def test_db_status_on_an_empty_database_lists_pending_and_fails(portal):
    status = portal("db", "status")
    assert status.exit_code == 1
    assert "pending" in status.output and "0001_foundation" in status.output


def test_users_create_list_set_role_deactivate(portal):
    portal("db", "upgrade")
    created = portal("users", "create", "Olga@Example.org", "--role", "pmo", "--name", "Olga Ops",
                     "--password", "a long enough pass")
    assert created.exit_code == 0, created.output
    listing = portal("users", "list")
    assert "olga@example.org" in listing.output and "pmo" in listing.output and "active" in listing.output
    assert portal("users", "set-role", "olga@example.org", "manager").exit_code == 0
    assert "manager" in portal("users", "list").output
    assert portal("users", "deactivate", "olga@example.org").exit_code == 0
    assert "deactivated" in portal("users", "list").output


def test_users_create_prompts_for_the_password(portal):
    portal("db", "upgrade")
    result = portal("users", "create", "p@example.org", "--role", "member",
                    input="a long enough pass\na long enough pass\n")
    assert result.exit_code == 0, result.output
    assert "Created p@example.org" in result.output


def test_users_commands_explain_their_errors(portal):
    portal("db", "upgrade")
    portal("users", "create", "a@example.org", "--role", "admin", "--password", "a long enough pass")
    dup = portal("users", "create", "a@example.org", "--role", "admin", "--password", "a long enough pass")
    assert dup.exit_code == 1 and "already exists" in dup.output
    weak = portal("users", "create", "b@example.org", "--role", "admin", "--password", "short")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    missing = portal("users", "set-role", "nobody@example.org", "pmo")
    assert missing.exit_code == 1 and "No account for nobody@example.org" in missing.output
    last_admin = portal("users", "deactivate", "a@example.org")
    assert last_admin.exit_code == 1 and "last active admin" in last_admin.output
    bad_role = portal("users", "create", "c@example.org", "--role", "wizard", "--password", "x" * 12)
    assert bad_role.exit_code == 2


def test_demo_is_idempotent(portal):
    portal("db", "upgrade")
    first = portal("demo")
    assert first.exit_code == 0, first.output
    assert "12 demo account(s) added" in first.output
    second = portal("demo")
    assert "0 demo account(s) added" in second.output
