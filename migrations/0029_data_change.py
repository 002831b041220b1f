"""Change tokens: one row per table, a fresh random token each time a committed write touches it.

Results computed from the database are kept by each worker with the tokens of the tables they
read (portal/memo.py) and reused while those tokens stand. Models here are frozen copies.
"""
from peewee import BigIntegerField, CharField, Model


def up(migrator, db):
    class DataChange(Model):
        table_name = CharField(primary_key=True, max_length=64)
        token = BigIntegerField()

        class Meta:
            database = db
            table_name = "data_change"

    db.create_tables([DataChange])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "data_change"')
