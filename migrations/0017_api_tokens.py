"""API tokens, their per-minute call windows and calendar feed secrets. Frozen models: see 0001."""
import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model


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

    class ApiToken(Base):
        user = ForeignKeyField(User, backref="+", on_delete="CASCADE", index=True)
        name = CharField(max_length=80)
        prefix = CharField(max_length=16)
        secret_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField(default=_now)
        expires_at = DateTimeField(index=True)
        last_used_at = DateTimeField(null=True)
        last_used_address = CharField(max_length=64, default="")
        revoked_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class ApiCallWindow(Base):
        token = ForeignKeyField(ApiToken, backref="+", on_delete="CASCADE")
        window_start = DateTimeField()
        calls = IntegerField(default=0)

        class Meta:
            indexes = ((("token", "window_start"), True),)

    class CalendarFeed(Base):
        user = ForeignKeyField(User, backref="+", on_delete="CASCADE", unique=True)
        secret_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField(default=_now)
        last_used_at = DateTimeField(null=True)

    db.create_tables([ApiToken, ApiCallWindow, CalendarFeed])


def down(migrator, db):
    for table in ("calendar_feed", "api_call_window", "api_token"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
