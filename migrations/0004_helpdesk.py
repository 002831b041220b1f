"""The help desk: tickets, replies and internal notes, attachments, canned answers,
linked knowledge articles and deflections. Frozen models: see 0001."""
import datetime

from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    TextField)


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

    class Ticket(Base):
        version = IntegerField(default=1)
        number = IntegerField(unique=True)
        subject = CharField(max_length=200)
        body = TextField()
        category = CharField(max_length=20, index=True)
        priority = CharField(max_length=10, index=True)
        status = CharField(max_length=10, default="new", index=True)
        requester = ForeignKeyField(User, index=True)
        assignee = ForeignKeyField(User, null=True, index=True)
        project_code = CharField(max_length=32, null=True, index=True)
        created_at = DateTimeField(default=_now, index=True)
        updated_at = DateTimeField(default=_now, index=True)
        first_response_at = DateTimeField(null=True)
        first_response_due = DateTimeField(index=True)
        resolution_due = DateTimeField(index=True)
        waiting_since = DateTimeField(null=True)
        paused_seconds = IntegerField(default=0)
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        rating = IntegerField(null=True)
        rating_comment = TextField(default="")
        merged_into = ForeignKeyField("self", null=True)
        warned_at = DateTimeField(null=True)
        escalated_at = DateTimeField(null=True)
        first_response_seconds = IntegerField(null=True)
        resolution_seconds = IntegerField(null=True)

        class Meta:
            indexes = ((("status", "resolution_due"), False), (("assignee", "status"), False))

    class Reply(Base):
        ticket = ForeignKeyField(Ticket, on_delete="CASCADE")
        author = ForeignKeyField(User)
        body = TextField()
        internal = BooleanField(default=False)
        created_at = DateTimeField(default=_now)
        client_token = CharField(max_length=64, unique=True)

        class Meta:
            indexes = ((("ticket", "created_at"), False),)

    class Attachment(Base):
        ticket = ForeignKeyField(Ticket, on_delete="CASCADE")
        reply = ForeignKeyField(Reply, null=True, on_delete="CASCADE")
        filename = CharField(max_length=255)
        stored_name = CharField(max_length=64, unique=True)
        size = IntegerField()
        content_type = CharField(max_length=100)
        uploaded_by = ForeignKeyField(User)
        created_at = DateTimeField(default=_now)

    class CannedAnswer(Base):
        version = IntegerField(default=1)
        title = CharField(max_length=120, unique=True)
        body = TextField()
        updated_by = ForeignKeyField(User, null=True)
        updated_at = DateTimeField(default=_now)

    class ArticleLink(Base):
        ticket = ForeignKeyField(Ticket, on_delete="CASCADE")
        article = CharField(max_length=255, index=True)
        title = CharField(max_length=200)
        linked_by = ForeignKeyField(User)
        created_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("ticket", "article"), True),)

    class Deflection(Base):
        user = ForeignKeyField(User)
        subject = CharField(max_length=200)
        article = CharField(max_length=255)
        created_at = DateTimeField(default=_now, index=True)

    db.create_tables([Ticket, Reply, Attachment, CannedAnswer, ArticleLink, Deflection])


def down(migrator, db):
    for table in ("deflection", "article_link", "canned_answer", "attachment", "reply", "ticket"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
