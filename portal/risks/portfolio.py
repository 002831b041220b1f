"""The portfolio's risk picture: risks and issues across every project the user may see."""
from portal.auth.models import User
from portal.pagination import MAX_PAGE, Page
from portal.projects.models import Project
from portal.risks.models import OPEN_ISSUE, OPEN_RISK, Issue, Risk
from portal.risks.queries import SORTS, Owner, filter_risks, heatmap_counts, with_project


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


def _matching(user, f: dict, today):
    """The risk table alone, narrowed as visible_risks narrows it: enough for the count and a page's ids."""
    query = filter_risks(Risk.select(Risk.id).where(Risk.project.in_(visible_project_ids(user))), f, today)
    if f.get("project"):
        query = query.where(Risk.project.in_(Project.select(Project.id)
                                             .where(Project.code == f["project"].strip().upper())))
    return query


def risk_page(user, f: dict, today, sort: str, page: int, per_page: int = 50) -> Page:
    """One page of visible_risks(user, f, today) in the order `sort` names, with its total.

    A deferred join: the count and the page's ids come from the risk table alone (for the default
    order, from the (project, status, score) index without reading a row), and only the page's
    rows are read whole and joined to their owner and project."""
    order = SORTS.get(sort, SORTS["score"])
    page = max(1, min(int(page), MAX_PAGE))
    matching = _matching(user, f, today)
    ids = matching.order_by(*order).paginate(page, per_page)
    rows = (Risk.select(Risk, Owner.name.alias("owner_name")).join(Owner, on=(Risk.owner == Owner.id))
            .where(Risk.id.in_(ids)))
    return Page(list(with_project(rows).order_by(*order).objects()), page, per_page, matching.count())


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
