"""Figures over many projects' status reports, shared by the portfolio dashboard and the PMO KPIs."""
import datetime

from peewee import fn

from portal.projects.models import Project
from portal.sqlfunc import month_keys, month_of, months_back
from portal.status.models import StatusReport


def rag_mix(user, filters: dict, today: datetime.date, months: int = 12) -> list[tuple[str, dict]]:
    """Per month for the last `months`: each active project's last overall RAG that month, counted by colour.

    `filters` may narrow the projects by department, category and manager, as the dashboard does.
    """
    first = months_back(today, months)
    month = month_of(StatusReport.period_end)
    rn = fn.ROW_NUMBER().over(partition_by=[StatusReport.project, month], order_by=[StatusReport.period_end.desc()])
    ids = (Project.filtered(user, filters.get("department"), filters.get("category"), filters.get("manager"))
           .where(Project.state == "active").select(Project.id))
    ranked = (StatusReport.select(month.alias("month"), StatusReport.rag_overall, rn.alias("rn"))
              .where((StatusReport.period_end >= first) & StatusReport.project.in_(ids)).alias("m"))
    counts = (StatusReport.select(ranked.c.month, ranked.c.rag_overall, fn.COUNT(1)).from_(ranked)
              .where(ranked.c.rn == 1).group_by(ranked.c.month, ranked.c.rag_overall).tuples())
    out = {}
    for label, rag, count in counts:
        out.setdefault(label, {})[rag] = count
    return [(label, out.get(label, {})) for label in month_keys(first, months)]
