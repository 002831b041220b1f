"""The phase model's versions, each project's phase history, its gate reviews and closure sign-offs.

Frozen models: see 0001.
"""
import datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


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

    class PhaseModel(Base):
        number = IntegerField(unique=True)
        body = TextField()
        comment = CharField(max_length=255, default="")
        saved_by = ForeignKeyField(User, null=True)
        saved_at = DateTimeField(default=_now)

    class ProjectPhase(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        phase_key = CharField(max_length=32)
        phase_name = CharField(max_length=60)
        max_days = IntegerField(null=True)
        model_number = IntegerField(default=0)
        entered_at = DateTimeField(default=_now)
        left_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("project", "left_at"), False),)

    class GateReview(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        model_number = IntegerField(default=0)
        from_key = CharField(max_length=32)
        from_name = CharField(max_length=60)
        to_key = CharField(max_length=32)
        to_name = CharField(max_length=60)
        sponsor_decides = BooleanField(default=False)
        note = TextField(default="")
        results = TextField(default="[]")
        requested_by = ForeignKeyField(User)
        requested_at = DateTimeField(default=_now, index=True)
        state = CharField(max_length=12, default="requested", index=True)
        decided_by = ForeignKeyField(User, null=True)
        decided_at = DateTimeField(null=True)
        comment = TextField(default="")

        class Meta:
            indexes = ((("project", "requested_at"), False),)

    class ClosureSignoff(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE", index=True)
        signed_by = ForeignKeyField(User)
        signed_at = DateTimeField(default=_now)
        reasons = TextField(default="")
        comment = TextField(default="")

    db.create_tables([PhaseModel, ProjectPhase, GateReview, ClosureSignoff])


def down(migrator, db):
    for table in ("closure_signoff", "gate_review", "project_phase", "phase_model"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
