"""Markdown typed by users is stored rendered: the HTML and the renderer version that made it.
Existing rows start at version 0 and are rendered on read until `portal markdown rerender`
stores their HTML. Frozen columns: see 0001."""
from peewee import IntegerField, TextField

TABLES = ("comment", "ticket", "reply", "status_report")


def up(migrator, db):
    migrator.migrate(*[op for table in TABLES for op in (
        migrator.add_column(table, "rendered_html", TextField(default="")),
        migrator.add_column(table, "rendered_version", IntegerField(default=0)))])


def down(migrator, db):
    migrator.migrate(*[op for table in TABLES for op in (
        migrator.drop_column(table, "rendered_html"),
        migrator.drop_column(table, "rendered_version"))])
