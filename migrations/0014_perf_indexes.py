"""Indexes for the help-desk queue's deep pages: the ids in queue order, read from the index alone.

`ticket (resolution_due, id DESC)` is exactly the default queue order, so a page's
ids come from an index-only scan however deep the page; it takes over from the
single-column index on `resolution_due`, which it makes redundant.
"""


def up(migrator, db):
    db.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_resolution_due_id" ON "ticket" ("resolution_due", "id" DESC)')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_resolution_due"')


def down(migrator, db):
    db.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_resolution_due" ON "ticket" ("resolution_due")')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_resolution_due_id"')
