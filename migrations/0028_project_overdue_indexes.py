"""Indexes for a project's overdue risk reviews and overdue issues (the project page's health panel).

- `risk (project_id, status, review_date)`: the count of a project's open risks past their
  review date reads the index alone; before, SQLite walked every overdue open risk of the
  portfolio by `(status, review_date)` to find the project's.
- `issue (project_id, status, due_date)`: the same for a project's open issues past their due date.
"""


def up(migrator, db):
    db.execute_sql('CREATE INDEX IF NOT EXISTS "risk_project_id_status_review_date" ON "risk" '
                   '("project_id", "status", "review_date")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "issue_project_id_status_due_date" ON "issue" '
                   '("project_id", "status", "due_date")')


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "issue_project_id_status_due_date"')
    db.execute_sql('DROP INDEX IF EXISTS "risk_project_id_status_review_date"')
