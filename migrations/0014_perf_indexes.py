"""Help-desk indexes that serve the queue's deep pages and the home page's SLA count from the index alone.

- `ticket (resolution_due, id DESC)` is exactly the default queue order, so a page's
  ids come from an index-only scan however deep the page; it takes over from the
  single-column index on `resolution_due`.
- `ticket (status, resolution_due, first_response_due, first_response_at)` holds every
  column of "breaching or about to breach", so that count reads no table rows; it takes
  over from `(status, resolution_due)`, whose lookups it serves the same way.
"""


def up(migrator, db):
    db.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_resolution_due_id" ON "ticket" ("resolution_due", "id" DESC)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_status_due_times" ON "ticket" '
                   '("status", "resolution_due", "first_response_due", "first_response_at")')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_resolution_due"')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_status_resolution_due"')


def down(migrator, db):
    db.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_status_resolution_due" ON "ticket" ("status", "resolution_due")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "ticket_resolution_due" ON "ticket" ("resolution_due")')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_status_due_times"')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_resolution_due_id"')
