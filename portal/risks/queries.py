"""Listing risks: filters, sorting, pages, heat-map counts and the CSV, on queries scoped by the caller."""
from peewee import fn

from portal.auth.models import User
from portal.pagination import paginate
from portal.projects.models import Project
from portal.risks.models import CATEGORIES, OPEN_RISK, RISK_STATUSES, Risk
from portal.sqlfunc import PreparedQuery

SORTS = {
    "score": (Risk.score.desc(), Risk.id.desc()),
    "review": (Risk.review_date.asc(nulls="LAST"), Risk.id),
    "title": (Risk.title, Risk.id),
    "newest": (Risk.created_at.desc(), Risk.id.desc()),
    "status": (Risk.status, Risk.score.desc(), Risk.id),
    "probability": (Risk.probability.desc(), Risk.impact.desc(), Risk.id),
    "impact": (Risk.impact.desc(), Risk.probability.desc(), Risk.id),
}
BAND_RANGES = {"high": (15, 25), "medium": (8, 14), "low": (1, 7)}
Owner = User.alias("owner")


def filter_risks(query, f: dict, today):
    """Apply the list filters in `f` (unknown values are ignored); `status` "" means open or monitored."""
    status = f.get("status") or ""
    if status in RISK_STATUSES:
        query = query.where(Risk.status == status)
    elif status != "all":
        query = query.where(Risk.status.in_(OPEN_RISK))
    if f.get("category") in CATEGORIES:
        query = query.where(Risk.category == f["category"])
    if f.get("owner"):
        query = query.where(Risk.owner == f["owner"])
    if f.get("band") in BAND_RANGES:
        low, high = BAND_RANGES[f["band"]]
        query = query.where(Risk.score.between(low, high))
    if f.get("p"):
        query = query.where(Risk.probability == f["p"])
    if f.get("i"):
        query = query.where(Risk.impact == f["i"])
    if f.get("overdue"):
        query = query.where(Risk.review_date < today)
    if f.get("escalated"):
        query = query.where(Risk.escalated == True)  # noqa: E712
    if f.get("q"):
        query = query.where(Risk.title ** f"%{f['q'].strip()}%")
    return query


def project_risks(project, f: dict, today):
    """`project`'s risks matching `f`, with owners' names joined."""
    query = (Risk.select(Risk, Owner.name.alias("owner_name")).join(Owner, on=(Risk.owner == Owner.id))
             .where(Risk.project == project.id))
    return filter_risks(query, f, today)


# What a row of a risk list shows (see risks/_row.html): not the long texts of the plan.
ROW_COLUMNS = (Risk.id, Risk.version, Risk.title, Risk.category, Risk.probability, Risk.impact, Risk.score,
               Risk.residual_score, Risk.owner, Risk.review_date, Risk.status, Risk.escalated)


def page_of(query, sort: str, page: int, per_page: int = 50):
    """One Page of `query` in the order `sort` names."""
    return paginate(query.order_by(*SORTS.get(sort, SORTS["score"])).objects(), page, per_page)


def row_page_of(query, sort: str, page: int, per_page: int = 50):
    """page_of() for a project's risk log (`project_risks`): only the row's columns are read."""
    return page_of(query.select(*ROW_COLUMNS, Owner.name.alias("owner_name")), sort, page, per_page)


def heatmap_counts(query) -> dict[tuple[int, int], int]:
    """{(probability, impact): count} over the risks of `query`, in one grouped query."""
    grouped = (query.select(Risk.probability, Risk.impact, fn.COUNT(Risk.id)).order_by()
               .group_by(Risk.probability, Risk.impact).tuples())
    return {(p, i): n for p, i, n in grouped}


# Every risk log shows it (and refreshes it after each change): its SQL is built once.
_PROJECT_HEATMAP = PreparedQuery(lambda project_id: (
    Risk.select(Risk.probability, Risk.impact, fn.COUNT(Risk.id))
    .where((Risk.project == project_id) & Risk.status.in_(OPEN_RISK))
    .group_by(Risk.probability, Risk.impact).tuples()))


def project_heatmap(project) -> dict[tuple[int, int], int]:
    """Counts of `project`'s open and monitored risks per cell of the 5×5 grid (heatmap_counts' query)."""
    return {(p, i): n for p, i, n in _PROJECT_HEATMAP(project.id)}


CSV_COLUMNS = ["id", "project", "title", "category", "status", "probability", "impact", "score",
               "residual_probability", "residual_impact", "residual_score", "owner", "response", "mitigation",
               "contingency", "trigger", "review_date", "escalated", "description"]


def csv_rows(query, sort: str | None = None):
    """The risks of `query` (with `owner_name` and `project_code` selected) as CSV_COLUMNS values, one at a time,
    in the order `sort` names (the list's), or by score."""
    order = SORTS[sort] if sort in SORTS else (Risk.score.desc(), Risk.id)
    for r in query.order_by(*order).objects().iterator():
        yield (f"R-{r.id}", r.project_code, r.title, r.category, r.status, r.probability, r.impact, r.score,
               r.residual_probability, r.residual_impact, r.residual_score, r.owner_name, r.response, r.mitigation,
               r.contingency, r.trigger, r.review_date, "yes" if r.escalated else "", r.description)


def with_project(query):
    """`query` with the project's code and name selected, for lists across projects."""
    return query.select_extend(Project.code.alias("project_code"), Project.name.alias("project_name")).switch(Risk).join(
        Project, on=(Risk.project == Project.id))
