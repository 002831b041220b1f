"""Request ids on audit events and queued mail; a table for the portal's own facts. Frozen models: see 0001."""
import datetime

from peewee import CharField, DateTimeField, Model


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class SystemValue(Base):
        key = CharField(primary_key=True, max_length=64)
        value = CharField(max_length=255)
        updated_at = DateTimeField(default=_now)

    db.create_tables([SystemValue])
    migrator.migrate(
        migrator.add_column("audit_event", "request_id", CharField(max_length=64, null=True)),
        migrator.add_column("mail_delivery", "request_id", CharField(max_length=64, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("mail_delivery", "request_id"),
                     migrator.drop_column("audit_event", "request_id"))
    db.execute_sql('DROP TABLE IF EXISTS "system_value"')
