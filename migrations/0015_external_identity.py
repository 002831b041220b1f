"""Where an account signs in (local, ldap, oidc, proxy) and its id there. Frozen models: see 0001."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("user", "auth_source", CharField(max_length=8, default="local")),
        migrator.add_column("user", "external_id", CharField(max_length=255, null=True)),
        migrator.add_index("user", ("auth_source",), False),
        migrator.add_index("user", ("auth_source", "external_id"), True))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("user", "user_auth_source_external_id"),
        migrator.drop_index("user", "user_auth_source"),
        migrator.drop_column("user", "external_id"),
        migrator.drop_column("user", "auth_source"))
