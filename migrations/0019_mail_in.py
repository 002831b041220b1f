"""The help desk by e-mail (mail read, threading headers on queued mail) and FAQ drafts. Frozen models: see 0001."""
import datetime

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Ticket(Base):  # exists already (0004); referenced only
        class Meta:
            table_name = "ticket"

    class InboundMail(Base):
        message_id = CharField(max_length=255, unique=True)
        sender = CharField(max_length=255, default="")
        subject = CharField(max_length=200, default="")
        outcome = CharField(max_length=16)
        ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
        detail = CharField(max_length=255, default="")
        received_at = DateTimeField(default=_now, index=True)

        class Meta:
            indexes = ((("sender", "outcome", "received_at"), False),)

    class User(Base):  # exists already (0001); referenced only
        class Meta:
            table_name = "user"

    class FaqDraft(Base):
        version = IntegerField(default=1)
        ticket = ForeignKeyField(Ticket, unique=True, on_delete="CASCADE")
        title = CharField(max_length=200)
        slug = CharField(max_length=120)
        body = TextField()
        owner = CharField(max_length=200)
        review_by = DateField()
        created_by = ForeignKeyField(User)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)
        published_at = DateTimeField(null=True)
        published_by = ForeignKeyField(User, null=True)
        article_path = CharField(max_length=400, null=True)

    db.create_tables([InboundMail, FaqDraft])
    migrator.migrate(
        migrator.add_column("mail_delivery", "message_id", CharField(max_length=255, null=True)),
        migrator.add_column("mail_delivery", "in_reply_to", CharField(max_length=255, null=True)),
        migrator.add_column("mail_delivery", "reply_to", CharField(max_length=255, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("mail_delivery", "reply_to"),
                     migrator.drop_column("mail_delivery", "in_reply_to"),
                     migrator.drop_column("mail_delivery", "message_id"))
    db.execute_sql('DROP TABLE IF EXISTS "faq_draft"')
    db.execute_sql('DROP TABLE IF EXISTS "inbound_mail"')
