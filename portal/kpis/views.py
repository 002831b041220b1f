"""The PMO KPI page and its monthly CSV."""
from flask_login import login_required

from portal.csvexport import csv_response
from portal.db import utcnow
from portal.helpdesk.figures import sla_attainment
from portal.kpis import bp
from portal.kpis import services as svc
from portal.numbers import int_arg
from portal.permissions import require
from portal.status.charts import sparkline
from portal.web import render


def _months() -> int:
    return max(2, min(int_arg("months", 6) or 6, 24))


@bp.get("/")
@login_required
@require("pmo.views")
def index():
    """Is the PMO helping? This month's figures against last month's, and the monthly series."""
    months = _months()
    rows = svc.monthly(utcnow().date(), months)
    changes = {key: svc.change(rows, key) for key in svc.COLUMNS[1:]}
    sparks = {key: sparkline([r[key] for r in rows], f"{SPARK_LABELS[key]}, month by month: "
                             + ", ".join(f"{r['month']} {'—' if r[key] is None else r[key]}" for r in rows))
              for key in SPARK_LABELS}
    return render("kpis/page.html", rows=rows, latest=rows[-1], changes=changes, rates=svc.rates(), months=months,
                  sparks=sparks, sla=sla_attainment(months=months))


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
