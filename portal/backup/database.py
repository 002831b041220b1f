"""The database side of a backup: SQLite's backup API, or pg_dump/pg_restore in custom format.

Works on the URL alone (plain sqlite3 and psycopg2 connections, no models), so it
reads and writes a database the portal has not opened.
"""
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from playhouse.db_url import parse as parse_url

from portal.backup.errors import BackupError

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
HISTORY = "schema_migration"
# Tables that `portal db upgrade` fills on an empty database: rows there do not
# mean the database is in use. tests/test_backup.py checks this stays true.
# Filled by `portal db upgrade` itself (the migration ledger, the shipped compliance checks,
# the upload folder's id, and the change tokens those writes leave): such rows do not make a database "in use".
SEEDED_BY_MIGRATIONS = {HISTORY, "compliance_check", "system_value", "data_change"}


def database_kind(url: str) -> str:
    """'sqlite' or 'postgresql', from the configured URL."""
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql"
    raise BackupError(f"Unsupported database URL scheme: {url.split(':', 1)[0]!r}")


def sqlite_path(url: str) -> Path:
    """The file behind a sqlite:/// URL."""
    return Path(parse_url(url)["database"])


# --- reading what is there ------------------------------------------------------

def _sqlite_tables(con) -> list[str]:
    """Ordinary tables; full-text indexes and their shadow tables mirror the ordinary ones."""
    rows = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite%' ORDER BY name").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [name for name, _ in rows
            if name not in virtual and not any(name.startswith(v + "_") for v in virtual)]


@contextmanager
def errors_explained():
    """Database errors met on the way become BackupErrors that say what happened."""
    import psycopg2
    try:
        yield
    except (sqlite3.Error, psycopg2.Error) as exc:
        raise BackupError(f"Database error: {str(exc).strip()}") from exc


@contextmanager
def _pg_cursor(url: str):
    """A cursor on its own connection, committed and closed afterwards."""
    import psycopg2
    try:
        con = psycopg2.connect(connect_timeout=10, **parse_url(url))
    except psycopg2.Error as exc:
        raise BackupError(f"Cannot connect to PostgreSQL: {str(exc).strip()}") from exc
    try:
        with con, con.cursor() as cur:
            yield cur
    finally:
        con.close()


def _pg_tables(cur) -> list[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cur.fetchall()]


def tables_in_use(url: str) -> list[str]:
    """Tables holding rows a person or the portal wrote (migration seeds do not count)."""
    if database_kind(url) == "sqlite":
        path = sqlite_path(url)
        if not path.exists():
            return []
        con = _read_only(path)
        try:
            return [t for t in _sqlite_tables(con) if t not in SEEDED_BY_MIGRATIONS
                    and con.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0]]
        finally:
            con.close()
    with _pg_cursor(url) as cur:
        used = []
        for table in _pg_tables(cur):
            if table not in SEEDED_BY_MIGRATIONS:
                cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
                if cur.fetchone()[0]:
                    used.append(table)
        return used


def _read_only(path: Path):
    """A read-only connection (it never creates a file where none was)."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def _migrations_sqlite(path: Path) -> list[str]:
    con = _read_only(path)
    try:
        return [row[0] for row in con.execute(f'SELECT name FROM "{HISTORY}" ORDER BY id')]
    except sqlite3.OperationalError as exc:
        raise BackupError(f"The database has no migration history ({exc}); run `portal db upgrade` first.") from exc
    finally:
        con.close()


def _migrations_pg(url: str) -> list[str]:
    import psycopg2
    with _pg_cursor(url) as cur:
        try:
            cur.execute(f'SELECT name FROM "{HISTORY}" ORDER BY id')
        except psycopg2.Error as exc:
            raise BackupError("The database has no migration history; run `portal db upgrade` first.") from exc
        return [row[0] for row in cur.fetchall()]


# --- PostgreSQL tools -------------------------------------------------------------

def _conninfo(url: str) -> tuple[str, dict]:
    """A libpq connection string without the password, and the environment carrying it.

    The password travels in PGPASSWORD so it never shows in the process list.
    """
    params = dict(parse_url(url))
    password = params.pop("password", None)
    if "database" in params:
        params["dbname"] = params.pop("database")
    text = " ".join(f"{key}={_quote(value)}" for key, value in params.items())
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return text, env


def _quote(value) -> str:
    """A libpq connection-string value: single quotes, backslash-escaped."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _major(version_text: str) -> int:
    """15 from '15.20 (Debian …)' or from 'pg_dump (PostgreSQL) 15.20'."""
    match = re.search(r"PostgreSQL\)\s*(\d+)", version_text) or re.search(r"(\d+)", version_text)
    if not match:
        raise BackupError(f"Cannot read a version from {version_text!r}.")
    return int(match.group(1))


def pg_tool(name: str, url: str, bin_dir: str = "") -> tuple[str, str]:
    """The path and version line of pg_dump/pg_restore, checked against the server's major version.

    A pg_dump older than the server refuses to run, and an archive from a newer
    one cannot be read back by an older pg_restore: both must match the server.
    """
    path = shutil.which(name, path=bin_dir or None)
    if path is None:
        where = bin_dir or "the PATH"
        raise BackupError(f"{name} was not found in {where}. Install the PostgreSQL client matching the "
                          f"server (Debian: postgresql-client-NN) or set PORTAL_PG_BIN_DIR.")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    tool_major = _major(version)
    with _pg_cursor(url) as cur:
        cur.execute("SHOW server_version")
        server = cur.fetchone()[0]
    if tool_major != _major(server):
        raise BackupError(f"{path} is version {tool_major} but the server runs PostgreSQL {server}. Use the "
                          f"client of the server's version (set PORTAL_PG_BIN_DIR, e.g. "
                          f"/usr/lib/postgresql/{_major(server)}/bin).")
    return path, version


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


# --- dump and restore ------------------------------------------------------------

def dump(url: str, dest: Path, bin_dir: str = "") -> dict:
    """Write the database into folder `dest`; what the manifest records about it."""
    if database_kind(url) == "sqlite":
        source = sqlite_path(url)
        if not source.exists():
            raise BackupError(f"There is no database at {source}.")
        # The backup API copies a consistent snapshot while the portal keeps writing.
        src = _read_only(source)
        dst = sqlite3.connect(dest / SQLITE_FILE)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return {"kind": "sqlite", "file": SQLITE_FILE, "migrations": _migrations_sqlite(dest / SQLITE_FILE)}
    tool, version = pg_tool("pg_dump", url, bin_dir)
    migrations = _migrations_pg(url)
    conninfo, env = _conninfo(url)
    # Custom format: compressed, and pg_restore can restore it selectively.
    _run([tool, "--format=custom", f"--file={dest / PG_FILE}", f"--dbname={conninfo}"], env, "pg_dump")
    return {"kind": "postgresql", "file": PG_FILE, "migrations": migrations, "tool": version}


def restore(url: str, archive: Path, bin_dir: str = "") -> None:
    """Replace the configured database with the one in `archive` (checks are the caller's)."""
    if database_kind(url) == "sqlite":
        target = sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(target.name + ".restoring")
        shutil.copyfile(archive, temp)
        # A write-ahead log left from the old file would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(temp, target)
        return
    tool, _ = pg_tool("pg_restore", url, bin_dir)
    conninfo, env = _conninfo(url)
    # --clean drops the backup's tables where they exist (a migrated, empty instance, or
    # --force) and --single-transaction makes the drop and the restore one: a failure
    # leaves the database as it was. Objects belong to the portal's role here, whoever
    # owned them where the dump was taken.
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(archive)], env, "pg_restore")


def check_restorable(url: str, bin_dir: str = "") -> None:
    """Fail early when the restore could not run (pg_restore missing or of another version)."""
    if database_kind(url) == "postgresql":
        pg_tool("pg_restore", url, bin_dir)
