"""Indexes that hold every column the help-desk figures, the PMO KPIs and the RAG mix read, so those
figures come from the index alone instead of the ticket and report rows (which carry their text).

- `ticket (created_at, resolved_at, resolution_due, rating, first_response_seconds, resolution_seconds)`:
  the help desk's monthly figures and their medians, by month created.
- `ticket (resolved_at, resolution_due, first_response_seconds)`: SLA attainment and the KPIs'
  tickets resolved per month with their median first response.
- `ticket (status, category, created_at)`: the open backlog by category and age, and the open count.
- `ticket (rating)`: the average rating.
- `status_report (period_end, project_id, rag_overall, submitted_at)`: reports on time per month and
  each project's last RAG per month.
"""

INDEXES = [
    ("ticket_created_figures", "ticket",
     '"created_at", "resolved_at", "resolution_due", "rating", "first_response_seconds", "resolution_seconds"'),
    ("ticket_resolved_figures", "ticket", '"resolved_at", "resolution_due", "first_response_seconds"'),
    ("ticket_status_category_created", "ticket", '"status", "category", "created_at"'),
    ("ticket_rating", "ticket", '"rating"'),
    ("status_report_period_figures", "status_report", '"period_end", "project_id", "rag_overall", "submitted_at"'),
]


def up(migrator, db):
    for name, table, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')


def down(migrator, db):
    for name, _, _ in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
