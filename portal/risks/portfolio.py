"""The portfolio's risk picture: risks and issues across every project the user may see."""
from portal.auth.models import User
from portal.projects.models import Project
from portal.risks.models import OPEN_ISSUE, OPEN_RISK, Issue, Risk
from portal.risks.queries import Owner, filter_risks, heatmap_counts, with_project


def visible_project_ids(user):
    """Ids of the projects (not drafts) `user` may see, as a subquery of the one scoped query."""
    return Project.visible_to(user).select(Project.id).where(Project.code.is_null(False))


def visible_risks(user, f: dict, today):
    """Risks on projects `user` may see, matching `f`, with owner and project joined."""
    query = (Risk.select(Risk, Owner.name.alias("owner_name")).join(Owner, on=(Risk.owner == Owner.id))
             .where(Risk.project.in_(visible_project_ids(user))))
    query = with_project(filter_risks(query, f, today))
    if f.get("project"):
        query = query.where(Project.code == f["project"].strip().upper())
    return query


def portfolio_heatmap(user) -> dict[tuple[int, int], int]:
    """Counts of open and monitored risks per cell, across the projects `user` may see."""
    return heatmap_counts(Risk.select().where(Risk.project.in_(visible_project_ids(user))
                                              & Risk.status.in_(OPEN_RISK)))


def top_risks(user, today, limit: int = 10):
    """The highest-scoring open risks across the portfolio."""
    return list(visible_risks(user, {}, today).order_by(Risk.score.desc(), Risk.review_date.asc(nulls="LAST"),
                                                         Risk.id).limit(limit).objects())


def escalated_risks(user, today, limit: int = 50):
    """Open risks a manager flagged for the PMO, newest flag first."""
    return list(visible_risks(user, {"escalated": "1"}, today).order_by(Risk.escalated_at.desc(), Risk.id)
                .limit(limit).objects())


def my_overdue_reviews(user, today, limit: int = 20):
    """Open risks `user` owns whose review date has passed, oldest first."""
    return list(visible_risks(user, {"owner": user.id, "overdue": "1"}, today)
                .order_by(Risk.review_date, Risk.id).limit(limit).objects())


def risk_owners(user):
    """(id, name) of the people owning open risks the user can see, for the filter."""
    owners = Risk.select(Risk.owner).where(Risk.project.in_(visible_project_ids(user)) & Risk.status.in_(OPEN_RISK))
    return list(User.select(User.id, User.name).where(User.id.in_(owners)).order_by(User.name).tuples())


def visible_issues(user, project_code: str = "", owner=None, overdue=False, today=None, statuses=OPEN_ISSUE):
    """Issues in `statuses` (open ones unless told) on projects `user` may see, with owner and project joined."""
    query = (Issue.select(Issue, Owner.name.alias("owner_name"), Project.code.alias("project_code"),
                          Project.name.alias("project_name"))
             .join(Owner, on=(Issue.owner == Owner.id)).switch(Issue).join(Project, on=(Issue.project == Project.id))
             .where(Issue.project.in_(visible_project_ids(user)) & Issue.status.in_(statuses)))
    if project_code:
        query = query.where(Project.code == project_code.strip().upper())
    if owner:
        query = query.where(Issue.owner == owner)
    if overdue:
        query = query.where(Issue.due_date < today)
    return query
