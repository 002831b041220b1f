"""The database proxy, BaseModel, per-request connections and the migration runner."""
import contextlib
import datetime
import re
import secrets
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


# What a statement writes or reads, from the SQL peewee (or a raw call) sends: the first
# table an INSERT, UPDATE, DELETE or TRUNCATE names, and every name after FROM or JOIN
# (aliases and CTE names come along; they never change, so they cost nothing).
_WRITES = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)'
                     r'\s+"?(\w+)"?', re.IGNORECASE)
_READS = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_TABLE_DDL = re.compile(r'\s*(?:CREATE|DROP|ALTER)\s+TABLE', re.IGNORECASE)
CHANGE_TABLE = "data_change"
_UNTRACKED = {CHANGE_TABLE, "schema_migration"}


class ChangeTracking:
    """Gives every table a fresh random token in `data_change` whenever a committed write touched it.

    A computed result that notes the tokens of the tables it read (portal/memo.py) is still
    true while those tokens are unchanged, in any worker on any host: the tokens live in the
    database and change in the same transaction as the data. Inside a transaction the tables
    written are collected and their tokens replaced just before COMMIT, in name order (two
    transactions never wait on each other's token rows in opposite orders); a write outside
    a transaction (autocommit) replaces its table's token right after it. Tracking starts
    once the table exists (migration 0029): older migrations' data steps run untracked.
    """

    _tracking: bool | None = None  # unknown until the first write; reset by any CREATE/DROP/ALTER TABLE

    def execute_sql(self, sql, params=None):
        cursor = super().execute_sql(sql, params)
        state = self._state
        reads = getattr(state, "reads", None)
        if reads is not None:
            reads.update(_READS.findall(sql))
        written = _WRITES.match(sql)
        if written:
            state.wrote = True
            table = written.group(1)
            if table not in _UNTRACKED and self.tracks_changes():
                if self.in_transaction():
                    state.__dict__.setdefault("changed", set()).add(table)
                else:
                    self._replace_tokens([table])
        elif _TABLE_DDL.match(sql):
            self._tracking = None
        return cursor

    def tracks_changes(self) -> bool:
        """True once the change tokens' table exists (checked again after any table DDL)."""
        if self._tracking is None:
            self._tracking = self.table_exists(CHANGE_TABLE)
        return self._tracking

    def _replace_tokens(self, tables) -> None:
        rows = ", ".join(["(%s, %s)"] * len(tables)).replace("%s", self.param)
        params = [value for table in sorted(tables) for value in (table, secrets.randbits(62))]
        super().execute_sql(f'INSERT INTO "{CHANGE_TABLE}" ("table_name", "token") VALUES {rows} '
                            f'ON CONFLICT ("table_name") DO UPDATE SET "token" = EXCLUDED."token"', params)

    def commit(self):
        changed = self._state.__dict__.pop("changed", None)
        if changed:
            self._replace_tokens(changed)
        return super().commit()

    def rollback(self):
        self._state.__dict__.pop("changed", None)
        return super().rollback()

    def tokens(self, tables=None) -> dict:
        """The current token of each of `tables` (every table when None) that was ever written; others are absent."""
        sql = f'SELECT "table_name", "token" FROM "{CHANGE_TABLE}"'
        if tables is None:
            return dict(super().execute_sql(sql).fetchall())
        tables = sorted(tables)
        if not tables:
            return {}
        marks = ", ".join([self.param] * len(tables))
        return dict(super().execute_sql(f'{sql} WHERE "table_name" IN ({marks})', tables).fetchall())

    def writing(self) -> bool:
        """True inside a transaction that has written and not yet committed."""
        return bool(self._state.__dict__.get("changed"))

    @contextlib.contextmanager
    def reading(self):
        """Collect the names of the tables the statements in this block read (nested blocks add to outer ones)."""
        state = self._state
        outer = getattr(state, "reads", None)
        state.reads = set()
        try:
            yield state.reads
        finally:
            found, state.reads = state.reads, outer
            if outer is not None:
                outer.update(found)


class SqliteConnectionPool(ChangeTracking, PooledSqliteDatabase):
    """SQLite connections kept for the next request (the name starts with Sqlite: released
    migrations tell the backends apart by class name)."""


class PostgresqlConnectionPool(ChangeTracking, PooledPostgresqlDatabase):
    """PostgreSQL connections kept for the next request, with change tracking."""


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
        return PostgresqlConnectionPool(max_connections=16, stale_timeout=300, timeout=10, **params)
    raise ValueError(f"Unsupported PORTAL_DATABASE_URL scheme: {url.split(':', 1)[0]!r}")


class DataChange(BaseModel):
    """The current token of each table written since tracking began (see ChangeTracking)."""

    table_name = peewee.CharField(primary_key=True, max_length=64)
    token = peewee.BigIntegerField()


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

