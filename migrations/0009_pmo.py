"""PMO views: resource allocations, milestones and their dependencies, compliance checks and
snapshots, the notices each sends once, and daily article view counts. Frozen models: see 0001."""
import datetime

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    SmallIntegerField, TextField)


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# The PMO's checks as first installed: (key, label, threshold, position).
CHECKS = [
    ("business_case", "Request approved with a business case", 50, 1),
    ("report_on_time", "Status report not overdue", 0, 2),
    ("risk_review", "Risk log reviewed recently", 30, 3),
    ("high_risks_handled", "High risks have an owner and a mitigation", 15, 4),
    ("standards_ack", "Manager acknowledged the mandatory standards", 0, 5),
    ("allocations", "Team allocations recorded", 1, 6),
]


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

    class Article(Base):  # exists already (0002); referenced only
        class Meta:
            table_name = "article"

    class Allocation(Base):
        version = IntegerField(default=1)
        person = ForeignKeyField(User, on_delete="CASCADE")
        project = ForeignKeyField(Project, on_delete="CASCADE")
        role = CharField(max_length=80, default="")
        percent = SmallIntegerField()
        start_date = DateField()
        end_date = DateField()
        note = CharField(max_length=500, default="")
        created_by = ForeignKeyField(User, null=True)
        created_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("person", "start_date", "end_date"), False), (("project", "start_date"), False),
                       (("start_date", "end_date"), False))

    class ConflictNotice(Base):
        person = ForeignKeyField(User, on_delete="CASCADE")
        week = DateField()
        sent_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("person", "week"), True),)

    class Milestone(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        name = CharField(max_length=200)
        due_date = DateField(index=True)
        forecast_date = DateField(null=True)
        done = BooleanField(default=False)
        depends_on = ForeignKeyField("self", null=True, on_delete="SET NULL", index=True)
        updated_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)

        class Meta:
            indexes = ((("project", "due_date"), False),)

    class MilestoneAlert(Base):
        milestone = ForeignKeyField(Milestone, on_delete="CASCADE")
        predecessor = ForeignKeyField(Milestone, on_delete="CASCADE")
        reason = CharField(max_length=16)
        sent_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("milestone", "predecessor", "reason"), True),)

    class ComplianceCheck(Base):
        version = IntegerField(default=1)
        key = CharField(max_length=32, unique=True)
        label = CharField(max_length=120)
        enabled = BooleanField(default=True)
        threshold = IntegerField(default=0)
        position = SmallIntegerField(default=0)
        updated_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)

    class ComplianceSnapshot(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        day = DateField(index=True)
        score = SmallIntegerField()
        failing = CharField(max_length=255, default="")

        class Meta:
            indexes = ((("project", "day"), True),)

    class ComplianceFailure(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        check_key = CharField(max_length=32)
        since = DateField()
        cleared_on = DateField(null=True)

        class Meta:
            indexes = ((("project", "check_key", "since"), True), (("cleared_on",), False))

    class ArticleViewDay(Base):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        day = DateField(index=True)
        views = IntegerField(default=0)

        class Meta:
            indexes = ((("article", "day"), True),)

    db.create_tables([Allocation, ConflictNotice, Milestone, MilestoneAlert, ComplianceCheck, ComplianceSnapshot,
                      ComplianceFailure, ArticleViewDay])
    ComplianceCheck.insert_many([{"key": k, "label": label, "threshold": t, "position": p}
                                 for k, label, t, p in CHECKS]).execute()


def down(migrator, db):
    for table in ("article_view_day", "compliance_failure", "compliance_snapshot", "compliance_check",
                  "milestone_alert", "milestone", "conflict_notice", "allocation"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
