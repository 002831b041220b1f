"""The PMO KPI page and its monthly CSV."""
from flask_login import login_required

from portal.csvexport import csv_response
from portal.db import utcnow
from portal.helpdesk.figures import sla_attainment
from portal.kpis import bp
from portal.kpis import services as svc
from portal.memo import kept_page, remember
from portal.numbers import int_arg
from portal.permissions import require
from portal.status.charts import sparkline
from portal.web import render


def _months() -> int:
    return max(2, min(int_arg("months", 6) or 6, 24))


@bp.get("/")
@login_required
@require("pmo.views")
@kept_page("minute")
def index():
    """Is the PMO helping? This month's figures against last month's, and the monthly series.

    Kept for the minute until a table the figures read changes (portal/memo.py): SLA figures move
    with the clock as well as with writes.
    """
    months = _months()
    now = utcnow()
    return render("kpis/page.html", months=months,
                  **remember(("kpis.index", months, now.replace(second=0, microsecond=0)),
                             lambda: _figures(now.date(), months)))


def _figures(today, months: int) -> dict:
    rows = svc.monthly(today, months)
    changes = {key: svc.change(rows, key) for key in svc.COLUMNS[1:]}
    sparks = {key: sparkline([r[key] for r in rows], f"{SPARK_LABELS[key]}, month by month: "
                             + ", ".join(f"{r['month']} {'—' if r[key] is None else r[key]}" for r in rows))
              for key in SPARK_LABELS}
    return dict(rows=rows, latest=rows[-1], changes=changes, rates=svc.rates(), sparks=sparks,
                sla=sla_attainment(months=months))


# The figures whose monthly series the cards draw as a sparkline.
SPARK_LABELS = {"intake_days": "Intake cycle time", "reports_on_time_pct": "Reports on time",
                "compliance_avg": "Compliance average", "sla_pct": "SLA attainment",
                "median_first_response_h": "Median first response", "deflections": "Deflections",
                "article_views": "Articles viewed"}


@bp.get("/export.csv")
@login_required
@require("pmo.views")
def export():
    """The monthly series as CSV (formula-safe)."""
    today, months = utcnow().date(), _months()
    return csv_response("pmo-kpis.csv", svc.COLUMNS,
                        lambda: ([r[c] for c in svc.COLUMNS] for r in svc.monthly(today, months)))
