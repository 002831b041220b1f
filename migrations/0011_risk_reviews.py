"""Reminders to risk owners: which risk was reminded for which review date. Frozen models: see 0001."""
import datetime

from peewee import DateField, DateTimeField, ForeignKeyField, Model


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Risk(Base):  # exists already (0006); referenced only
        class Meta:
            table_name = "risk"

    class ReviewReminder(Base):
        risk = ForeignKeyField(Risk, on_delete="CASCADE")
        review_date = DateField()
        sent_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("risk", "review_date"), True),)

    db.create_tables([ReviewReminder])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "review_reminder"')
