"""The database proxy, BaseModel, per-request connections and the migration runner."""
import contextlib
import datetime
from pathlib import Path

import peewee
from flask import abort, g, request
from playhouse.db_url import parse as parse_url
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

db = peewee.DatabaseProxy()

# A checkout keeps migrations at the top level; an installed package carries them inside (setup.py).
_PACKAGE = Path(__file__).resolve().parent
MIGRATIONS_DIR = next((p for p in (_PACKAGE / "migrations", _PACKAGE.parent / "migrations") if p.is_dir()),
                      _PACKAGE.parent / "migrations")

# WAL lets readers carry on while one writer writes; the busy timeout makes a
# second writer wait instead of failing; foreign keys are off unless asked for.
# A pooled connection keeps its page cache between requests, so it is bounded at
# 4 MB a connection (16 MB cost each worker ~12 MB more resident memory and no
# measurable speed: the operating system caches the file's pages anyway).
SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "normal"),
    ("busy_timeout", 10_000),
    ("cache_size", -4_000),
)


def utcnow() -> datetime.datetime:
    """The current time in UTC, without tzinfo (how every timestamp is stored)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(peewee.Model):
    """Every model's base: bound to the proxy, snake_case table names."""

    class Meta:
        database = db
        legacy_table_names = False


class VersionedModel(BaseModel):
    """A record edited through forms: `version` guards against stale saves."""

    version = peewee.IntegerField(default=1)

    def save_if_current(self, expected_version: int, **changes) -> bool:
        """Apply `changes` only if nobody saved since `expected_version`.

        Returns False (and writes nothing) when the stored version moved on.
        """
        if not isinstance(expected_version, int) or not 0 <= expected_version < 2**53:
            return False  # a version no save ever produced: treat as stale, never reach the database
        model = type(self)
        changes = {getattr(model, k): v for k, v in changes.items()}
        changes[model.version] = model.version + 1
        updated = (model.update(changes)
                   .where((model.id == self.id) & (model.version == expected_version))
                   .execute())
        return updated == 1


class SqliteConnectionPool(PooledSqliteDatabase):
    """SQLite connections kept for the next request (the name starts with Sqlite: released
    migrations tell the backends apart by class name)."""


def make_database(url: str) -> peewee.Database:
    """Build the peewee database for a `sqlite:///…` or `postgresql://…` URL."""
    params = parse_url(url)
    if url.startswith("sqlite"):
        Path(params["database"]).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: every transaction takes the write lock when it begins,
        # so read-then-write cannot fail half-way with "database is locked".
        # Pooled like PostgreSQL: a new SQLite connection parses the whole schema
        # (~300 tables and indexes) before its first query and checkpoints the
        # write-ahead log when it closes, ~2 ms a request; a kept one does neither
        # and keeps its page cache warm. A connection handed back inside a
        # transaction is rolled back first. `timeout` is the wait for a free pooled
        # connection; the wait for a lock is the busy_timeout pragma.
        return SqliteConnectionPool(params["database"], pragmas=SQLITE_PRAGMAS, timeout=10,
                                    lock_type="IMMEDIATE", max_connections=16, stale_timeout=300,
                                    check_same_thread=False)
    if url.startswith(("postgres://", "postgresql://")):
        # A small pool per worker process: connecting costs more than a query.
        # A bounded connect: an unreachable server fails a probe in seconds, not minutes.
        params.setdefault("connect_timeout", 5)
        return PooledPostgresqlDatabase(max_connections=16, stale_timeout=300, timeout=10, **params)
    raise ValueError(f"Unsupported PORTAL_DATABASE_URL scheme: {url.split(':', 1)[0]!r}")


class Counter(BaseModel):
    """Named counters for readable numbers (ticket PMO-1042, project PRJ-2026-014)."""

    name = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.IntegerField(default=0)


def next_number(name: str) -> int:
    """Take the next value of counter `name`; call inside the transaction that uses it.

    The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite), so
    parallel callers queue and a rolled-back caller leaves no gap.
    """
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    cursor = db.execute_sql(
        'UPDATE counter SET value = value + 1 WHERE name = %s RETURNING value'
        .replace("%s", db.param), (name,))
    return cursor.fetchone()[0]


@contextlib.contextmanager
def own_connection():
    """A connection for this block only, closed after it unless the caller already held one.

    For work outside a request's own connection: a streamed body read after the request's
    teardown, a health probe that must answer even when the request hook could not connect.
    A connection already open (a test thread's, a CLI's) is used and left open.
    """
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield
    finally:
        if opened and not db.is_closed():
            db.close()


def is_sqlite() -> bool:
    """True when the portal runs on SQLite (FTS and locking differ)."""
    return isinstance(db.obj, peewee.SqliteDatabase)


def locked(query):
    """`query` holding its rows until commit: FOR UPDATE on PostgreSQL; on SQLite every
    transaction already holds the write lock (IMMEDIATE), so the query runs as it is."""
    return query if is_sqlite() else query.for_update()


def migration_runner(directory: str | Path | None = None) -> Runner:
    """The runner over `migrations/` (or `directory`), bound to the initialised database."""
    return Runner(db.obj, directory=str(directory or MIGRATIONS_DIR))


def upgrade() -> list[str]:
    """Apply pending migrations; safe to rerun, each migration is one transaction."""
    with db.connection_context():
        return migration_runner().up()


def migration_status():
    """Each migration with the time it was applied, or None when pending."""
    with db.connection_context():
        return migration_runner().status()


def get_or_404(query, *where):
    """First row of `query` matching `where`, or abort with 404."""
    row = query.where(*where).first() if where else query.first()
    if row is None:
        abort(404)
    return row


def init_app(app):
    """Bind the proxy to the configured database and open/close per request."""
    db.initialize(make_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        # Probes and metrics open their own bounded connection, so they can answer when the database cannot.
        view = app.view_functions.get(request.endpoint)
        if request.endpoint == "static" or getattr(view, "own_database", False) or not db.is_closed():
            return
        db.connect()
        g._db_opened = True

    @app.teardown_request
    def _close(exc):
        if g.pop("_db_opened", False) and not db.is_closed():
            db.close()

