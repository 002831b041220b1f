"""The help desk by e-mail: mail read from the mailbox, threading headers on queued mail. Frozen models: see 0001."""
import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model


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

    db.create_tables([InboundMail])
    migrator.migrate(
        migrator.add_column("mail_delivery", "message_id", CharField(max_length=255, null=True)),
        migrator.add_column("mail_delivery", "in_reply_to", CharField(max_length=255, null=True)),
        migrator.add_column("mail_delivery", "reply_to", CharField(max_length=255, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("mail_delivery", "reply_to"),
                     migrator.drop_column("mail_delivery", "in_reply_to"),
                     migrator.drop_column("mail_delivery", "message_id"))
    db.execute_sql('DROP TABLE IF EXISTS "inbound_mail"')
