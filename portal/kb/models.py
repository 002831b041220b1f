"""Articles, their revisions, acknowledgements of standards, training completions and daily view counts."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, db, is_sqlite, utcnow
from portal.sqlfunc import PreparedQuery

# Who must acknowledge mandatory standards (anyone may acknowledge).
ACK_ROLES = ("manager", "pmo", "member")  # everyone the portal asks to acknowledge


class Article(VersionedModel):
    """One Markdown file; `text` is the published full text, `draft_text` an unpublished edit.

    `version` (from VersionedModel) guards edits; `doc_version` is the version
    readers acknowledge, from front matter.
    """

    path = peewee.CharField(max_length=400, unique=True)
    section = peewee.CharField(max_length=120, index=True)
    slug = peewee.CharField(max_length=400)
    title = peewee.CharField(max_length=300)
    summary = peewee.TextField(default="")
    tags = peewee.CharField(max_length=500, default="")
    owner = peewee.CharField(max_length=200, default="", index=True)
    audience = peewee.CharField(max_length=200, default="")
    doc_version = peewee.CharField(max_length=32, default="1")
    review_by = peewee.DateField(null=True, index=True)
    mandatory = peewee.BooleanField(default=False, index=True)
    training_path = peewee.CharField(max_length=120, default="", index=True)
    module_order = peewee.IntegerField(default=0)
    text = peewee.TextField(default="")
    draft_text = peewee.TextField(null=True)
    revision = peewee.IntegerField(default=0)
    file_mtime_ns = peewee.BigIntegerField(null=True)
    deleted = peewee.BooleanField(default=False, index=True)
    warnings = peewee.TextField(default="")
    updated_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("section", "slug"), True),)

    @classmethod
    def visible(cls):
        """Articles that still exist, for readers."""
        return cls.select().where(cls.deleted == False)  # noqa: E712

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class Revision(BaseModel):
    """The full text of an article at one save; author is None for a change made on disk."""

    article = peewee.ForeignKeyField(Article, backref="revisions", on_delete="CASCADE")
    number = peewee.IntegerField()
    author = peewee.ForeignKeyField(User, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    message = peewee.CharField(max_length=300, default="")
    text = peewee.TextField()
    status = peewee.CharField(max_length=16, default="published")  # published | draft

    class Meta:
        indexes = ((("article", "number"), True),)


class Acknowledgement(BaseModel):
    """A user's "read and understood version N" of a mandatory standard."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    article = peewee.ForeignKeyField(Article, on_delete="CASCADE")
    doc_version = peewee.CharField(max_length=32)
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "article", "doc_version"), True), (("article", "doc_version"), False))


class TrainingCompletion(BaseModel):
    """A user finished one training module."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    article = peewee.ForeignKeyField(Article, on_delete="CASCADE")
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "article"), True),)


class ArticleViewDay(BaseModel):
    """How often an article was opened on one day (UNIQUE article + day)."""

    article = peewee.ForeignKeyField(Article, backref="+", on_delete="CASCADE")
    day = peewee.DateField(index=True)
    views = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("article", "day"), True),)


# Every article view runs it: its SQL is built once.
_COUNT_VIEW = PreparedQuery(lambda article_id, day: ArticleViewDay.insert(article=article_id, day=day, views=1)
                            .on_conflict(conflict_target=[ArticleViewDay.article, ArticleViewDay.day],
                                         update={ArticleViewDay.views: ArticleViewDay.views + 1}))


def count_view(article_id: int, day) -> None:
    """Add one view of `article_id` on `day`: a single INSERT … ON CONFLICT DO UPDATE, cheap per page view.

    On PostgreSQL the commit does not wait for the disk: a crash may lose the last fraction of a
    second of view counts, never anything else, and a reader does not wait a WAL flush per view.
    """
    with db.atomic():
        if not is_sqlite():
            db.execute_sql("SET LOCAL synchronous_commit = off")
        _COUNT_VIEW.execute(article_id, day)
