"""Roles on project teams; decision logs, change requests and baseline history. Frozen models: see 0001.

Existing team members become contributors (the column's default); the project's manager stays its manager.
"""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("project_member", "role", CharField(max_length=16, default="contributor")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("project_member", "role"))
