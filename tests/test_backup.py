"""`portal backup` and `portal restore`: the restore drill on both databases, and every refusal."""
import json
import os
import shutil
import stat
import uuid
from pathlib import Path

import psycopg2
import pytest
from click.testing import CliRunner

from portal import create_app
from portal.backup import known_migrations
from portal.backup.files import visible_files
from portal.cli import main
from portal.db import db, make_database
from tests.conftest import PG_ADMIN_URL, _missing

# Checks of files and folders alone: the database kind makes no difference to them.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], scope="session")
DRILL_ARTICLE = "---\ntitle: Restore drill\n---\nWritten in the browser before the backup.\n"


class Databases:
    """Creates databases with no tables (a file path on SQLite) and drops them afterwards."""

    def __init__(self, backend, folder: Path):
        self.backend, self.folder, self.created, self.admin = backend, folder, [], None
        if backend == "postgresql":
            try:
                self.admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
            except psycopg2.Error as exc:
                _missing(f"PostgreSQL is not reachable: {exc}")
            self.admin.autocommit = True

    def new(self, name: str) -> str:
        """The URL of a new, empty database."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / name / 'portal.sqlite3'}"
        db_name = f"portal_backup_{name}_{uuid.uuid4().hex[:8]}"
        with self.admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{db_name}"')
        self.created.append(db_name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{db_name}"

    def drop_all(self):
        _close()
        for db_name in self.created:
            with self.admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if self.admin is not None:
            self.admin.close()


def _point_at(folder: Path, url: str, env) -> dict:
    """Point the `portal` command at the instance kept in `folder`; its URL and folders."""
    folders = {"url": url, "uploads": folder / "uploads", "knowledge": folder / "knowledge"}
    env.setenv("PORTAL_DATABASE_URL", url)
    env.setenv("PORTAL_UPLOAD_DIR", str(folders["uploads"]))
    env.setenv("PORTAL_KNOWLEDGE_DIR", str(folders["knowledge"]))
    env.setenv("PORTAL_SECRET_KEY", "backup-test")
    return folders


@pytest.fixture
def instance(backend, tmp_path, monkeypatch):
    """`instance(name)`: point the `portal` command at a new, empty instance; its URL and folders."""
    databases = Databases(backend, tmp_path)
    yield lambda name: _point_at(tmp_path / name, databases.new(name), monkeypatch)
    databases.drop_all()


@pytest.fixture(scope="module")
def seeded(backend, tmp_path_factory):
    """An instance with demo data, uploaded documents and a knowledge edit, and one backup of it.

    Built once per backend (the demo takes a while); tests copy the backup before damaging it.
    """
    folder = tmp_path_factory.mktemp(f"seeded-{backend}")
    databases = Databases(backend, folder)
    env = pytest.MonkeyPatch()
    source = _point_at(folder / "source", databases.new("source"), env)
    assert portal("db", "upgrade").exit_code == 0
    demo = portal("demo")
    assert demo.exit_code == 0, demo.output
    edit_knowledge(source)
    backups = folder / "backups"
    backups.mkdir()
    result = portal("backup", str(backups))
    env.undo()
    assert result.exit_code == 0, result.output
    (written,) = backups.iterdir()
    assert f"Backup written to {written}." in result.output
    yield source, written
    databases.drop_all()


@pytest.fixture
def backup_set(seeded, tmp_path):
    """A copy of the seeded instance's backup set, for this test to restore or damage."""
    copy = tmp_path / "set" / seeded[1].name
    shutil.copytree(seeded[1], copy)
    return copy


def portal(*args):
    """Run `portal …` as an operator would; the click result."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def edit_knowledge(folders):
    """A PMO person writes an article in the editor (a file and a revision)."""
    from portal.kb.services import create_article
    from tests.factories import make_user
    app = create_app({"DATABASE_URL": folders["url"], "UPLOAD_DIR": str(folders["uploads"]),
                      "KNOWLEDGE_DIR": str(folders["knowledge"]), "SECRET_KEY": "x"})
    with app.app_context(), db.connection_context():
        create_article(make_user(role="pmo"), "faq", "restore-drill", DRILL_ARTICLE, "drill")
    _close()


def _close():
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
    elif not db.is_closed():
        db.close()


def row_counts(url):
    """Every table's row count."""
    database = make_database(url)
    with database.connection_context():
        counts = {t: database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                  for t in database.get_tables()}
    database.close_all() if hasattr(database, "close_all") else database.close()
    return counts


def tree(folder: Path) -> dict:
    """Relative path -> bytes of every visible file."""
    return {p.as_posix(): (folder / p).read_bytes() for p in visible_files(folder)}


def test_restore_drill(instance, backend, seeded, backup_set):
    source, written = seeded[0], backup_set
    assert written.name.startswith("portal-backup-") and len(written.name) == len("portal-backup-20260101-120000")
    manifest = json.loads((written / "manifest.json").read_text())
    assert manifest["migrations"] == known_migrations()
    assert manifest["database"]["kind"] == backend
    assert manifest["created_at"].endswith("Z") and manifest["portal_version"]
    paths = {f["path"] for f in manifest["files"]}
    assert "knowledge/faq/restore-drill.md" in paths
    assert len([p for p in paths if p.startswith("uploads/")]) == len(visible_files(source["uploads"])) > 0
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])

    target = instance("target")
    restored = portal("restore", str(written))
    assert restored.exit_code == 0, restored.output
    assert "Restored the" in restored.output

    source_counts, target_counts = row_counts(source["url"]), row_counts(target["url"])
    assert target_counts == source_counts
    assert source_counts["user"] > 10 and source_counts["article"] > 0
    assert tree(target["uploads"]) == tree(source["uploads"])
    assert tree(target["knowledge"]) == tree(source["knowledge"])
    assert (target["knowledge"] / "faq" / "restore-drill.md").read_text() == DRILL_ARTICLE

    # The restored instance is in use now: a second restore is refused.
    again = portal("restore", str(written))
    assert again.exit_code == 1 and "already holds data" in again.output
    assert portal("db", "status").exit_code == 0


def test_restore_with_force_replaces_a_database_in_use(instance, backup_set):
    written = backup_set
    target = instance("target")
    assert portal("db", "upgrade").exit_code == 0
    assert portal("users", "create", "someone@example.org", "--role", "admin",
                  "--password", "a long enough pass").exit_code == 0
    refused = portal("restore", str(written))
    assert refused.exit_code == 1 and "already holds data" in refused.output
    forced = portal("restore", "--force", str(written))
    assert forced.exit_code == 0, forced.output
    assert "someone@example.org" not in portal("users", "list").output
    assert "admin@demo.pmo" in portal("users", "list").output
    assert row_counts(target["url"])["user"] == 13


def test_a_migrated_empty_instance_takes_a_restore(instance, backup_set):
    """`portal db upgrade` fills some tables by itself; that does not count as data."""
    written = backup_set
    instance("target")
    assert portal("db", "upgrade").exit_code == 0
    result = portal("restore", str(written))
    assert result.exit_code == 0, result.output
    assert "marked as this installation's shared folder" in result.output  # ready to serve its files


@SQLITE_ONLY
def test_restore_refuses_an_upload_folder_with_files(instance, backup_set):
    written = backup_set
    target = instance("target")
    target["uploads"].mkdir(parents=True)
    (target["uploads"] / "left-over").write_bytes(b"x")
    refused = portal("restore", str(written))
    assert refused.exit_code == 1 and "has files" in refused.output
    assert not Path(target["url"].removeprefix("sqlite:///")).exists()
    assert portal("restore", "--force", str(written)).exit_code == 0
    assert (target["uploads"] / "left-over").read_bytes() == b"x"


@pytest.mark.parametrize("backend, damage, message", [
    ("postgresql", "future_schema", "newer than this release"),
    ("sqlite", "flip_upload", "checksum does not match"),
    ("sqlite", "drop_upload", "missing"),
    ("sqlite", "no_manifest", "not a backup set"),
    ("sqlite", "future_schema", "newer than this release"),
], scope="session")
def test_restore_refuses_a_damaged_or_foreign_set_and_writes_nothing(instance, damage, message, backup_set):
    written = backup_set
    manifest_path = written / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    upload = written / next(f["path"] for f in manifest["files"] if f["path"].startswith("uploads/"))
    if damage == "flip_upload":
        data = bytearray(upload.read_bytes())
        data[0] ^= 0xFF
        upload.write_bytes(bytes(data))
    elif damage == "drop_upload":
        upload.unlink()
    elif damage == "no_manifest":
        manifest_path.unlink()
    else:
        manifest["migrations"].append("0999_from_a_later_release")
        manifest_path.write_text(json.dumps(manifest))
    target = instance("target")
    result = portal("restore", str(written))
    assert result.exit_code == 1 and message in result.output, result.output
    assert not target["uploads"].exists()
    assert "faq/restore-drill.md" not in tree(target["knowledge"])


def test_restore_of_a_missing_folder_fails(instance, tmp_path):
    instance("target")
    result = portal("restore", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "is not a folder" in result.output


def test_backup_fails_without_its_folders_and_leaves_no_partial_set(instance, tmp_path, backend):
    source = instance("source")
    assert portal("db", "upgrade").exit_code == 0
    missing = portal("backup", str(tmp_path / "not-mounted"))
    assert missing.exit_code == 1 and "is not a folder" in missing.output
    backups = tmp_path / "backups"
    backups.mkdir()
    shutil.rmtree(source["uploads"])  # the shared folder is not mounted
    no_uploads = portal("backup", str(backups))
    assert no_uploads.exit_code == 1 and "uploads folder" in no_uploads.output
    assert list(backups.iterdir()) == []
    source["uploads"].mkdir(parents=True)
    assert portal("backup", str(backups)).exit_code == 0


@pytest.mark.parametrize("backend", ["postgresql"], scope="session")
def test_backup_on_postgresql_needs_a_pg_dump_of_the_servers_version(instance, tmp_path, monkeypatch):
    source = instance("source")
    assert portal("db", "upgrade").exit_code == 0
    source["uploads"].mkdir(parents=True, exist_ok=True)
    backups = tmp_path / "backups"
    backups.mkdir()

    empty_bin = tmp_path / "no-tools"
    empty_bin.mkdir()
    monkeypatch.setenv("PORTAL_PG_BIN_DIR", str(empty_bin))
    result = portal("backup", str(backups))
    assert result.exit_code == 1 and "pg_dump was not found" in result.output

    old_bin = tmp_path / "old-tools"
    old_bin.mkdir()
    old = old_bin / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(old.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PORTAL_PG_BIN_DIR", str(old_bin))
    result = portal("backup", str(backups))
    assert result.exit_code == 1 and "is version 9 but the server runs PostgreSQL" in result.output
    assert list(backups.iterdir()) == []

    monkeypatch.setenv("PORTAL_PG_BIN_DIR", os.path.dirname("/usr/bin/pg_dump"))
    result = portal("backup", str(backups))
    assert result.exit_code == 0, result.output
    (written,) = backups.iterdir()
    assert (written / "database.pgdump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
