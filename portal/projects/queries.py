"""Listing projects: filters, sorting, pages and the CSV export, all on the visibility-scoped query."""
from portal.auth.models import User
from portal.pagination import paginate
from portal.projects.models import STATES, Project

SORTS = {
    "name": (Project.name, Project.id),
    "code": (Project.code, Project.id),
    "state": (Project.state, Project.name),
    "budget": (Project.budget.desc(nulls="LAST"), Project.id),
    "start": (Project.start_date.desc(nulls="LAST"), Project.id),
    "newest": (Project.created_at.desc(), Project.id.desc()),
    "score": (Project.score.desc(nulls="LAST"), Project.id),
    "oldest": (Project.submitted_at.asc(nulls="LAST"), Project.id),
}
Manager = User.alias("manager")


def filtered(user, state="", department="", category="", manager=None, text=""):
    """Visible projects matching the filters, with their managers joined (unknown states are ignored)."""
    query = (Project.filtered(user, department, category, manager).select_extend(Manager.name.alias("manager_name"))
             .join(Manager, on=(Project.manager == Manager.id)))
    if state in STATES:
        query = query.where(Project.state == state)
    elif state == "requests":
        query = query.where(Project.state.in_(("draft", "submitted", "in_review", "returned")))
    if text:
        like = f"%{text.strip()}%"
        query = query.where((Project.name ** like) | (Project.code ** like) | (Project.summary ** like))
    return query


def search_projects(user, filters: dict, sort: str = "name", page: int = 1, per_page: int = 50):
    """One Page of visible projects matching `filters`, in the order `sort` names."""
    return paginate(filtered(user, **filters).order_by(*SORTS.get(sort, SORTS["name"])).objects(), page, per_page)


def departments_and_managers(user):
    """Choices for the filters: departments and managers of the projects `user` can see."""
    departments = [d for (d,) in Project.visible_to(user).select(Project.department).distinct()
                   .order_by(Project.department).tuples() if d]
    managers = list(User.select(User.id, User.name)
                    .where(User.id.in_(Project.visible_to(user).select(Project.manager))).order_by(User.name).tuples())
    return departments, managers


CSV_COLUMNS = ["code", "name", "state", "category", "department", "manager", "budget", "start_date",
               "end_date", "score", "summary"]


def csv_rows(query):
    """The rows of `query` as CSV_COLUMNS values, one at a time from a server-side iterator (never all in memory)."""
    for p in query.order_by(Project.code, Project.id).objects().iterator():
        yield (p.code or f"DRAFT-{p.id}", p.name, p.state, p.category, p.department, p.manager_name,
               p.budget, p.start_date, p.end_date, p.score, p.summary)
