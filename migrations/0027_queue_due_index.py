"""The help-desk queue's default order, "due soonest", as an index of the same expressions.

The queue sorts by the clock that runs (new and open tickets first, then waiting ones,
then the rest) and by the deadline its SLA column shows (the first response's until one
is given, then the resolution's), newest ticket first among equals. The index holds
exactly those two expressions and the id, so a page's ids are read in order from the
index however deep the page, on SQLite and PostgreSQL alike. The queue writes the
expressions with the same literal values (portal/helpdesk/queue.py), which is what lets
either database match them to the index.
"""
CLOCK_RANK = "(CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END)"
SHOWN_DUE = "(CASE WHEN first_response_at IS NULL THEN first_response_due ELSE resolution_due END)"


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "ticket_shown_due" ON "ticket" ({CLOCK_RANK}, {SHOWN_DUE}, "id" DESC)')


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "ticket_shown_due"')
