"""Collaboration: documents and versions, comments, notification preferences, benefits, lessons,
and the project an audit event belongs to. Frozen models: see 0001."""
import datetime

from peewee import (BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
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

    class Project(Base):  # exists already (0003); referenced only
        class Meta:
            table_name = "project"

    class Document(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        folder = CharField(max_length=20, default="other")
        name = CharField(max_length=255)
        live_key = CharField(max_length=255, null=True)
        latest = IntegerField(default=0)
        size = BigIntegerField(default=0)
        created_at = DateTimeField(default=_now)
        created_by = ForeignKeyField(User, null=True)
        updated_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)
        deleted_at = DateTimeField(null=True)
        deleted_by = ForeignKeyField(User, null=True)

        class Meta:
            indexes = ((("project", "folder", "live_key"), True), (("project", "deleted_at", "folder"), False))

    class DocumentVersion(Base):
        document = ForeignKeyField(Document, on_delete="CASCADE")
        number = IntegerField()
        filename = CharField(max_length=255)
        stored_name = CharField(max_length=64)
        size = BigIntegerField()
        content_type = CharField(max_length=100, default="application/octet-stream")
        note = CharField(max_length=500, default="")
        uploaded_by = ForeignKeyField(User, null=True)
        uploaded_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("document", "number"), True),)

    class Comment(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE", index=True)
        target_type = CharField(max_length=32)
        target_id = IntegerField()
        author = ForeignKeyField(User)
        body = TextField()
        created_at = DateTimeField(default=_now)
        edited_at = DateTimeField(null=True)
        deleted_at = DateTimeField(null=True)
        deleted_by = ForeignKeyField(User, null=True)

        class Meta:
            indexes = ((("target_type", "target_id", "created_at"), False),)

    class NotificationPreference(Base):
        user = ForeignKeyField(User, unique=True, on_delete="CASCADE")
        mode = CharField(max_length=16, default="portal")
        updated_at = DateTimeField(default=_now)

    class Benefit(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE", index=True)
        description = CharField(max_length=300)
        measure = CharField(max_length=200, default="")
        target = CharField(max_length=100, default="")
        actual = CharField(max_length=100, default="")
        realised_on = DateField(null=True)
        recorded_by = ForeignKeyField(User, null=True)
        recorded_at = DateTimeField(default=_now)
        review = CharField(max_length=16, default="")
        review_note = CharField(max_length=1000, default="")
        reviewed_by = ForeignKeyField(User, null=True)
        reviewed_at = DateTimeField(null=True)

    class Lesson(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE", index=True)
        category = CharField(max_length=20, default="other", index=True)
        went_well = TextField(default="")
        to_improve = TextField(default="")
        recommendation = TextField(default="")
        author = ForeignKeyField(User, null=True)
        created_at = DateTimeField(default=_now, index=True)

    db.create_tables([Document, DocumentVersion, Comment, NotificationPreference, Benefit, Lesson])
    migrator.migrate(
        migrator.add_column("audit_event", "project_id", IntegerField(null=True)),
        migrator.add_index("audit_event", ("project_id", "at"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("audit_event", "audit_event_project_id_at"),
                     migrator.drop_column("audit_event", "project_id"))
    for table in ("lesson", "benefit", "notification_preference", "comment", "document_version", "document"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
