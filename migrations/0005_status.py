"""Status reports, the reminders claimed about them, and the mail outbox. Frozen models: see 0001."""
import datetime

from peewee import (CharField, DateField, DateTimeField, DecimalField, ForeignKeyField, IntegerField,
                    Model, SmallIntegerField, TextField)


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

    class Notification(Base):  # exists already (0003); referenced only
        class Meta:
            table_name = "notification"

    class StatusReport(Base):
        version = IntegerField(default=1)
        project = ForeignKeyField(Project, on_delete="CASCADE")
        period_end = DateField(index=True)
        rag_overall = CharField(max_length=8, index=True)
        rag_schedule = CharField(max_length=8)
        rag_budget = CharField(max_length=8)
        rag_scope = CharField(max_length=8)
        rag_resources = CharField(max_length=8)
        reason_overall = TextField(default="")
        reason_schedule = TextField(default="")
        reason_budget = TextField(default="")
        reason_scope = TextField(default="")
        reason_resources = TextField(default="")
        percent_complete = SmallIntegerField(default=0)
        forecast_finish = DateField(null=True)
        spent_to_date = DecimalField(max_digits=14, decimal_places=2, null=True)
        accomplishments = TextField(default="")
        next_steps = TextField(default="")
        blockers = TextField(default="")
        decisions = TextField(default="")
        submitted_by = ForeignKeyField(User)
        submitted_at = DateTimeField(default=_now)
        updated_by = ForeignKeyField(User, null=True)
        updated_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "period_end"), True),)

    class StatusReminder(Base):
        project = ForeignKeyField(Project, on_delete="CASCADE")
        period_end = DateField()
        stage = CharField(max_length=16)
        sent_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("project", "period_end", "stage"), True), (("period_end",), False))

    class MailDelivery(Base):
        notification = ForeignKeyField(Notification, unique=True, on_delete="CASCADE")
        to_address = CharField(max_length=255)
        subject = CharField(max_length=255)
        body = TextField()
        state = CharField(max_length=10, default="pending")
        attempts = IntegerField(default=0)
        last_error = CharField(max_length=255, default="")
        claimed_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        created_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("state", "id"), False),)

    db.create_tables([StatusReport, StatusReminder, MailDelivery])


def down(migrator, db):
    for table in ("mail_delivery", "status_reminder", "status_report"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
