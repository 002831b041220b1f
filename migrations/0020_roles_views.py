"""Saved views (named filters per page, private or shared) and the conflict-of-interest flag on approvals.

Frozen models: see 0001.
"""
import datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, Model, TextField


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

    class SavedView(Base):
        owner = ForeignKeyField(User, on_delete="CASCADE")
        page = CharField(max_length=32)
        name = CharField(max_length=80)
        query = TextField(default="")
        shared = BooleanField(default=False)
        created_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("owner", "page", "name"), True), (("page", "shared"), False))

    db.create_tables([SavedView])
    migrator.migrate(migrator.add_column("approval", "conflict", CharField(max_length=120, default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("approval", "conflict"))
    db.execute_sql('DROP TABLE IF EXISTS "saved_view"')
