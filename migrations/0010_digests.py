"""Daily digests: which person's digest went out on which day. Frozen models: see 0001."""
import datetime

from peewee import DateField, DateTimeField, ForeignKeyField, Model


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

    class DigestSent(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        day = DateField()
        sent_at = DateTimeField(default=_now)

        class Meta:
            indexes = ((("user", "day"), True),)

    db.create_tables([DigestSent])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "digest_sent"')
