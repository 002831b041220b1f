"""Knowledge base: articles, revisions, acknowledgements, training completions, search index.

Frozen models, as in 0001. The search index is an FTS5 table on SQLite and a
table with a generated, GIN-indexed tsvector on PostgreSQL.
"""
import datetime

from peewee import (BigIntegerField, BooleanField, CharField, DateField, DateTimeField,
                    ForeignKeyField, IntegerField, Model, SqliteDatabase, TextField)


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class Article(Base):
        version = IntegerField(default=1)
        path = CharField(max_length=400, unique=True)
        section = CharField(max_length=120, index=True)
        slug = CharField(max_length=400)
        title = CharField(max_length=300)
        summary = TextField(default="")
        tags = CharField(max_length=500, default="")
        owner = CharField(max_length=200, default="", index=True)
        audience = CharField(max_length=200, default="")
        doc_version = CharField(max_length=32, default="1")
        review_by = DateField(null=True, index=True)
        mandatory = BooleanField(default=False, index=True)
        training_path = CharField(max_length=120, default="", index=True)
        module_order = IntegerField(default=0)
        text = TextField(default="")
        draft_text = TextField(null=True)
        revision = IntegerField(default=0)
        file_mtime_ns = BigIntegerField(null=True)
        deleted = BooleanField(default=False, index=True)
        warnings = TextField(default="")
        updated_at = DateTimeField(default=_now, index=True)

        class Meta:
            indexes = ((("section", "slug"), True),)

    class Revision(Base):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        number = IntegerField()
        author = ForeignKeyField(User, null=True)
        created_at = DateTimeField(default=_now)
        message = CharField(max_length=300, default="")
        text = TextField()
        status = CharField(max_length=16, default="published")

        class Meta:
            indexes = ((("article", "number"), True),)

    class Acknowledgement(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        article = ForeignKeyField(Article, on_delete="CASCADE")
        doc_version = CharField(max_length=32)
        at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("user", "article", "doc_version"), True), (("article", "doc_version"), False))

    class TrainingCompletion(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        article = ForeignKeyField(Article, on_delete="CASCADE")
        at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("user", "article"), True),)

    db.create_tables([Article, Revision, Acknowledgement, TrainingCompletion])
    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE kb_search USING fts5("
                       "title, summary, tags, body, tokenize='porter unicode61 remove_diacritics 2')")
    else:
        db.execute_sql(
            "CREATE TABLE kb_search (article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE, "
            "title TEXT NOT NULL, summary TEXT NOT NULL, tags TEXT NOT NULL, body TEXT NOT NULL, "
            "tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', tags), 'A') || "
            "setweight(to_tsvector('english', summary), 'B') || setweight(to_tsvector('english', body), 'C')"
            ") STORED)")
        db.execute_sql("CREATE INDEX kb_search_tsv ON kb_search USING GIN (tsv)")


def down(migrator, db):
    for table in ("kb_search", "training_completion", "acknowledgement", "revision", "article"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
