"""Webhooks and their delivery log; spreadsheet uploads waiting for the PMO's import. Frozen models: see 0001."""
import datetime

from peewee import (BlobField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
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

    class Webhook(Base):
        version = IntegerField(default=1)
        name = CharField(max_length=120)
        url = CharField(max_length=2000)
        secret = CharField(max_length=255)
        format = CharField(max_length=10, default="json")
        events = CharField(max_length=500)
        active = BooleanField(default=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

    class WebhookDelivery(Base):
        webhook = ForeignKeyField(Webhook, on_delete="CASCADE")
        event = CharField(max_length=40)
        body = TextField()
        state = CharField(max_length=10, default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(default=_now)
        claimed_at = DateTimeField(null=True)
        last_status = IntegerField(null=True)
        last_error = CharField(max_length=255, default="")
        delivered_at = DateTimeField(null=True)
        created_at = DateTimeField(default=_now)
        replay_of = ForeignKeyField("self", null=True, on_delete="SET NULL")
        request_id = CharField(max_length=64, null=True)

        class Meta:
            indexes = ((("state", "next_attempt_at"), False), (("webhook", "created_at"), False))

    class ImportUpload(Base):
        kind = CharField(max_length=10)
        filename = CharField(max_length=255)
        data = BlobField()
        size = IntegerField()
        uploaded_by = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField(default=_now)

    db.create_tables([Webhook, WebhookDelivery, ImportUpload])


def down(migrator, db):
    for table in ("import_upload", "webhook_delivery", "webhook"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
