"""Roles on project teams; decision logs, change requests and baseline history. Frozen models: see 0001.

Existing team members become contributors (the column's default); the project's manager stays its manager.
"""
import datetime

from peewee import CharField, DateField, DateTimeField, DecimalField, ForeignKeyField, IntegerField, Model, TextField


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _models(db):
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

    class Risk(Base):  # exists already (0006); referenced only
        class Meta:
            table_name = "risk"

    class Issue(Base):  # exists already (0006); referenced only
        class Meta:
            table_name = "issue"

    class Decision(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        title = CharField(max_length=200)
        status = CharField(max_length=12, default="made", index=True)
        needed_by = DateField(null=True)
        decided_on = DateField(null=True)
        decided_by = ForeignKeyField(User, null=True)
        options = TextField(default="")
        rationale = TextField(default="")
        created_by = ForeignKeyField(User, null=True)
        created_at = DateTimeField(default=_now, index=True)
        updated_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "created_at"), False),)

    class DecisionLink(Base):
        decision = ForeignKeyField(Decision, on_delete="CASCADE")
        risk = ForeignKeyField(Risk, null=True, on_delete="CASCADE")
        issue = ForeignKeyField(Issue, null=True, on_delete="CASCADE")

    class ChangeRequest(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        title = CharField(max_length=200)
        description = TextField(default="")
        scope_impact = TextField(default="")
        new_end_date = DateField(null=True)
        schedule_days = IntegerField(default=0)
        budget_delta = DecimalField(max_digits=14, decimal_places=2, default=0)
        requested_by = ForeignKeyField(User)
        requested_at = DateTimeField(default=_now, index=True)
        decider = CharField(max_length=12, default="pmo")
        state = CharField(max_length=12, default="submitted", index=True)
        decided_by = ForeignKeyField(User, null=True)
        decided_at = DateTimeField(null=True)
        decision_comment = TextField(default="")

        class Meta:
            indexes = ((("project", "requested_at"), False),)

    class Baseline(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        number = IntegerField()
        start_date = DateField(null=True)
        end_date = DateField(null=True)
        budget = DecimalField(max_digits=14, decimal_places=2, null=True)
        change = ForeignKeyField(ChangeRequest, null=True, on_delete="SET NULL")
        set_by = ForeignKeyField(User, null=True)
        set_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "number"), True),)

    return [Decision, DecisionLink, ChangeRequest, Baseline]


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("project_member", "role", CharField(max_length=16, default="contributor")))
    db.create_tables(_models(db))


def down(migrator, db):
    for table in ("baseline", "change_request", "decision_link", "decision"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    migrator.migrate(migrator.drop_column("project_member", "role"))
