"""Accounts, sign-in failures, the audit trail and named counters.

Models here are frozen copies: later changes to the application's models get
migrations of their own, so this file must not import them.
"""
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

    class User(Base):
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=120)
        role = CharField(max_length=16, index=True)
        department = CharField(max_length=120, default="")
        password_hash = CharField(max_length=255)
        active = BooleanField(default=True, index=True)
        session_version = IntegerField(default=1)
        created_at = DateTimeField(default=_now)
        last_login_at = DateTimeField(null=True)
        version = IntegerField(default=1)

    class LoginFailure(Base):
        email = CharField(max_length=254, index=True)
        address = CharField(max_length=64, index=True)
        at = DateTimeField(default=_now, index=True)

    class AuditEvent(Base):
        at = DateTimeField(default=_now, index=True)
        actor = ForeignKeyField(User, null=True)
        action = CharField(max_length=64, index=True)
        object_type = CharField(max_length=32)
        object_id = CharField(max_length=64)
        summary = CharField(max_length=255, default="")
        before = TextField(null=True)
        after = TextField(null=True)

        class Meta:
            indexes = ((("object_type", "object_id", "at"), False),)

    class Counter(Base):
        name = CharField(primary_key=True, max_length=64)
        value = IntegerField(default=0)

    db.create_tables([User, LoginFailure, AuditEvent, Counter])


def down(migrator, db):
    for table in ("audit_event", "login_failure", "counter", "user"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
