"""A project's health at a glance, for the top of its page: RAG per dimension with trend, what comes next,
the top open risks and issues, budget against spend, overdue flags and the team. Four bounded queries."""
from portal.db import utcnow

TOP = 3


def _trend(now: str, before: str | None) -> str:
    from portal.status.services import RANK
    if before is None or now not in RANK or before not in RANK:
        return ""
    change = RANK[now] - RANK[before]
    return "worse" if change > 0 else "better" if change < 0 else "same"


def project_health(project) -> dict:
    """What the project page shows before its tabs; empty parts are left for the template to skip."""
    from peewee import fn

    from portal.milestones.models import Milestone
    from portal.risks.models import OPEN_ISSUE, OPEN_RISK, Issue, Risk
    from portal.status.models import DIMENSIONS, StatusReport
    from portal.status.periods import latest_due
    today = utcnow().date()
    # Only the columns the panel shows; each overdue count rides along its panel's query.
    reports = list(StatusReport.select(StatusReport.period_end, StatusReport.spent_to_date,
                                       *(getattr(StatusReport, f"rag_{d}") for d in ("overall",) + DIMENSIONS))
                   .where(StatusReport.project == project.id)
                   .order_by(StatusReport.period_end.desc()).limit(2))
    latest, previous = (reports + [None, None])[:2]
    dims = []
    if latest:
        for dim in ("overall",) + DIMENSIONS:
            now = getattr(latest, f"rag_{dim}")
            dims.append({"name": dim, "rag": now,
                         "trend": _trend(now, getattr(previous, f"rag_{dim}") if previous else None)})
    live = project.state in ("active", "on_hold")
    due = latest_due(project.reporting_cadence, today) if live else None
    open_risks = (Risk.project == project.id) & Risk.status.in_(OPEN_RISK)
    past_review = Risk.select(fn.COUNT(Risk.id)).where(open_risks & (Risk.review_date < today))
    risks = list(Risk.select(Risk.id, Risk.title, Risk.score, past_review.alias("overdue")).where(open_risks)
                 .order_by(Risk.score.desc(), Risk.id).limit(TOP))
    open_issues = (Issue.project == project.id) & Issue.status.in_(OPEN_ISSUE)
    past_due = Issue.select(fn.COUNT(Issue.id)).where(open_issues & (Issue.due_date < today))
    issues = list(Issue.select(Issue.id, Issue.title, Issue.priority, Issue.due_date,
                               past_due.alias("overdue")).where(open_issues)
                  .order_by(Issue.priority.asc(), Issue.due_date.asc(nulls="LAST"), Issue.id).limit(TOP))
    overdue_reviews = risks[0].overdue if risks else 0  # no open risk, none overdue
    overdue_issues = issues[0].overdue if issues else 0
    milestones = list(Milestone.select(Milestone.name, Milestone.due_date, Milestone.forecast_date)
                      .where((Milestone.project == project.id) & (Milestone.done == False))  # noqa: E712
                      .order_by(Milestone.due_date, Milestone.id).limit(TOP))
    flags = []
    if live and (latest is None or latest.period_end < due):
        flags.append(f"Status report for {due} is missing.")
    if overdue_reviews:
        flags.append(f"{overdue_reviews} risk(s) past their review date.")
    if overdue_issues:
        flags.append(f"{overdue_issues} issue(s) past their due date.")
    late = [m for m in milestones if (m.forecast_date or m.due_date) > m.due_date or m.due_date < today]
    if late:
        flags.append(f"{len(late)} milestone(s) late or forecast late.")
    spent = latest.spent_to_date if latest else None
    budget = project.budget
    return {"latest": latest, "dims": dims, "risks": risks, "issues": issues, "milestones": milestones,
            "flags": flags, "spent": spent, "budget": budget, "today": today,
            "spent_share": round(100 * spent / budget) if spent is not None and budget else None}
