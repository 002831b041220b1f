"""Local accounts: device-aware sign-in throttling, reset and invitation links, reset requests, managers.

Frozen models: see 0001.
"""
import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model


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

    class AccountToken(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        purpose = CharField(max_length=16)
        token_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField(default=_now)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)

    class ResetRequest(Base):
        email = CharField(max_length=254, index=True)
        address = CharField(max_length=64, index=True)
        at = DateTimeField(default=_now, index=True)

    db.create_tables([AccountToken, ResetRequest])
    migrator.migrate(
        migrator.add_column("login_failure", "device", CharField(max_length=32, default="")),
        migrator.add_index("login_failure", ("email", "device", "at"), False),
        migrator.add_column("user", "manager_id",
                            ForeignKeyField(User, null=True, field=User.id, on_delete="SET NULL")))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("user", "user_manager_id"),
        migrator.drop_column("user", "manager_id"),
        migrator.drop_index("login_failure", "login_failure_email_device_at"),
        migrator.drop_column("login_failure", "device"))
    db.execute_sql('DROP TABLE IF EXISTS "reset_request"')
    db.execute_sql('DROP TABLE IF EXISTS "account_token"')
