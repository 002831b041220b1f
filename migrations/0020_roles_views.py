"""Saved views (named filters per page, private or shared), the conflict-of-interest flag on approvals,
and knowledge-base search on the words as written, so that a half-typed word finds its article.

Frozen models: see 0001.
"""
import datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, Model, SqliteDatabase, TextField


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):  # exists already (0001); referenced only
        class Meta:
            table_name = "user"

    class SavedView(Base):
        owner = ForeignKeyField(User, on_delete="CASCADE")
        page = CharField(max_length=32)
        name = CharField(max_length=80)
        query = TextField(default="")
        shared = BooleanField(default=False)
        created_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("owner", "page", "name"), True), (("page", "shared"), False))

    db.create_tables([SavedView])
    migrator.migrate(migrator.add_column("approval", "conflict", CharField(max_length=120, default="")))
    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE kb_search_words USING fts5("
                       "title, summary, tags, body, tokenize='unicode61 remove_diacritics 2')")
        db.execute_sql("INSERT INTO kb_search_words (rowid, title, summary, tags, body) "
                       "SELECT rowid, title, summary, tags, body FROM kb_search")
    else:
        db.execute_sql(
            "ALTER TABLE kb_search ADD COLUMN words tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', tags), 'A') || "
            "setweight(to_tsvector('simple', summary), 'B') || setweight(to_tsvector('simple', body), 'C')"
            ") STORED")
        db.execute_sql("CREATE INDEX kb_search_words_idx ON kb_search USING GIN (words)")


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TABLE IF EXISTS kb_search_words")
    else:
        db.execute_sql("DROP INDEX IF EXISTS kb_search_words_idx")
        db.execute_sql("ALTER TABLE kb_search DROP COLUMN IF EXISTS words")
    migrator.migrate(migrator.drop_column("approval", "conflict"))
    db.execute_sql('DROP TABLE IF EXISTS "saved_view"')
