"""Risk and issue logs. Frozen models: see 0001."""
import datetime

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    SmallIntegerField, TextField)


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

    class Risk(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        title = CharField(max_length=200)
        description = TextField(default="")
        category = CharField(max_length=20, index=True)
        probability = SmallIntegerField()
        impact = SmallIntegerField()
        score = SmallIntegerField(index=True)
        residual_probability = SmallIntegerField(null=True)
        residual_impact = SmallIntegerField(null=True)
        residual_score = SmallIntegerField(null=True)
        owner = ForeignKeyField(User)
        response = CharField(max_length=10, default="mitigate")
        mitigation = TextField(default="")
        contingency = TextField(default="")
        trigger = CharField(max_length=500, default="")
        review_date = DateField(null=True, index=True)
        status = CharField(max_length=12, default="open", index=True)
        last_reviewed_at = DateTimeField(null=True)
        escalated = BooleanField(default=False)
        escalation_note = CharField(max_length=1000, default="")
        escalated_at = DateTimeField(null=True)
        escalated_by = ForeignKeyField(User, null=True)
        created_at = DateTimeField(default=_now, index=True)
        created_by = ForeignKeyField(User, null=True)
        updated_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)

        class Meta:
            indexes = ((("project", "status", "score"), False), (("project", "probability", "impact"), False),
                       (("status", "review_date"), False), (("owner", "status"), False),
                       (("escalated", "status"), False))

    class Issue(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        title = CharField(max_length=200)
        description = TextField(default="")
        priority = SmallIntegerField(index=True)
        owner = ForeignKeyField(User)
        due_date = DateField(null=True)
        status = CharField(max_length=12, default="open", index=True)
        resolution = TextField(default="")
        risk = ForeignKeyField(Risk, null=True, unique=True, on_delete="SET NULL")
        created_at = DateTimeField(default=_now, index=True)
        created_by = ForeignKeyField(User, null=True)
        updated_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)

        class Meta:
            indexes = ((("project", "status", "priority"), False), (("status", "due_date"), False),
                       (("owner", "status"), False))

    db.create_tables([Risk, Issue])


def down(migrator, db):
    for table in ("issue", "risk"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
