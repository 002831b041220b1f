"""Project registration: projects and requests, teams, history, approvals, scores, governance rules, notifications.

Models here are frozen copies, as in 0001: later changes get migrations of their own.
"""
import datetime

from peewee import (CharField, DateField, DateTimeField, DecimalField, FloatField, ForeignKeyField,
                    IntegerField, Model, SmallIntegerField, TextField)


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class Project(Base):
        version = IntegerField(default=1)
        code = CharField(max_length=20, unique=True, null=True)
        name = CharField(max_length=120, index=True)
        summary = TextField(default="")
        business_case = TextField(default="")
        requester = ForeignKeyField(User, index=True)
        manager = ForeignKeyField(User, index=True)
        sponsor = ForeignKeyField(User, null=True, index=True)
        compliance_owner = ForeignKeyField(User, null=True)
        department = CharField(max_length=120, default="", index=True)
        category = CharField(max_length=60, default="", index=True)
        strategic_objective = CharField(max_length=200, default="")
        start_date = DateField(null=True, index=True)
        end_date = DateField(null=True)
        budget = DecimalField(max_digits=14, decimal_places=2, null=True, index=True)
        benefits = TextField(default="")
        known_risks = TextField(default="")
        reporting_cadence = CharField(max_length=16, default="monthly")
        state = CharField(max_length=16, default="draft", index=True)
        score = FloatField(null=True, index=True)
        review_round = IntegerField(default=0)
        closing_note = TextField(default="")
        created_at = DateTimeField(default=_now, index=True)
        submitted_at = DateTimeField(null=True, index=True)
        updated_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)

    class ProjectMember(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        added_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "user"), True),)

    class Transition(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        actor = ForeignKeyField(User, null=True)
        at = DateTimeField(default=_now)
        from_state = CharField(max_length=16)
        to_state = CharField(max_length=16)
        comment = TextField(default="")

        class Meta:
            indexes = ((("project", "at"), False),)

    class Approval(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        review_round = IntegerField()
        kind = CharField(max_length=16)
        approver = ForeignKeyField(User)
        at = DateTimeField(default=_now)
        comment = TextField(default="")

        class Meta:
            indexes = ((("project", "review_round", "kind"), True),)

    class Score(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        reviewer = ForeignKeyField(User)
        strategic_fit = SmallIntegerField()
        value = SmallIntegerField()
        risk = SmallIntegerField()
        effort = SmallIntegerField()
        total = FloatField()
        comment = TextField(default="")
        at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "reviewer"), True),)

    class RuleSet(Base):
        body = TextField()
        comment = CharField(max_length=255, default="")
        saved_by = ForeignKeyField(User, null=True)
        saved_at = DateTimeField(default=_now, index=True)

    class Notification(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        text = CharField(max_length=255)
        url = CharField(max_length=255, default="")
        created_at = DateTimeField(default=_now)
        read_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("user", "read_at", "created_at"), False),)

    db.create_tables([Project, ProjectMember, Transition, Approval, Score, RuleSet, Notification])


def down(migrator, db):
    for table in ("notification", "rule_set", "score", "approval", "transition", "project_member", "project"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
