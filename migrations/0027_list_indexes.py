"""Indexes for lists at scale: the help-desk queue's "due soonest" order, and the portfolio's open risks.

The help-desk queue's default order, "due soonest", as an index of the same expressions.

The queue sorts by the clock that runs (new and open tickets first, then waiting ones,
then the rest) and by the deadline its SLA column shows (the first response's until one
is given, then the resolution's), newest ticket first among equals. The index holds
exactly those two expressions and the id, so a page's ids are read in order from the
index however deep the page, on SQLite and PostgreSQL alike. The queue writes the
expressions with the same literal values (portal/helpdesk/queue.py), which is what lets
either database match them to the index.

`risk (project_id, status, score, review_date, probability, impact, owner_id)` holds
what the portfolio risk pages read for every open risk a person may see (the heat map,
the top ten, the owners filter, the count and a page's ids), so those read the index
and not the risks' rows, which carry their descriptions and plans.
"""
CLOCK_RANK = "(CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END)"
SHOWN_DUE = "(CASE WHEN first_response_at IS NULL THEN first_response_due ELSE resolution_due END)"


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "ticket_shown_due" ON "ticket" ({CLOCK_RANK}, {SHOWN_DUE}, "id" DESC)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "risk_portfolio_cover" ON "risk" '
                   '("project_id", "status", "score", "review_date", "probability", "impact", "owner_id")')


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "risk_portfolio_cover"')
    db.execute_sql('DROP INDEX IF EXISTS "ticket_shown_due"')
