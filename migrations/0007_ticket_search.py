"""Full-text index over ticket subjects and bodies on PostgreSQL (SQLite scans with LIKE,
which stays fast at help-desk sizes)."""


def up(migrator, db):
    if db.__class__.__name__.startswith("Sqlite"):
        return
    db.execute_sql("CREATE INDEX IF NOT EXISTS ticket_text_search ON ticket USING GIN "
                   "(to_tsvector('simple', subject || ' ' || body))")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS ticket_text_search")
