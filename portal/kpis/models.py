"""A cheap daily view counter per knowledge article (one UPSERT per view)."""
import peewee

from portal.db import BaseModel, db
from portal.kb.models import Article


class ArticleViewDay(BaseModel):
    """How often an article was opened on one day (UNIQUE article + day)."""

    article = peewee.ForeignKeyField(Article, backref="+", on_delete="CASCADE")
    day = peewee.DateField(index=True)
    views = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("article", "day"), True),)


def count_view(article_id: int, day) -> None:
    """Add one view of `article_id` on `day`: a single INSERT … ON CONFLICT DO UPDATE."""
    with db.atomic():
        (ArticleViewDay.insert(article=article_id, day=day, views=1)
         .on_conflict(conflict_target=[ArticleViewDay.article, ArticleViewDay.day],
                      update={ArticleViewDay.views: ArticleViewDay.views + 1})
         .execute())
