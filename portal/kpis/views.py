"""The PMO KPI page and its monthly CSV."""
from flask_login import login_required

from portal.csvexport import csv_response
from portal.db import utcnow
from portal.helpdesk.figures import sla_attainment
from portal.kpis import bp
from portal.kpis import services as svc
from portal.numbers import int_arg
from portal.permissions import require
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
    return render("kpis/page.html", rows=rows, latest=rows[-1], changes=changes, rates=svc.rates(), months=months,
                  sla=sla_attainment(months=months))


@bp.get("/export.csv")
@login_required
@require("pmo.views")
def export():
    """The monthly series as CSV (formula-safe)."""
    today, months = utcnow().date(), _months()
    return csv_response("pmo-kpis.csv", svc.COLUMNS,
                        lambda: ([r[c] for c in svc.COLUMNS] for r in svc.monthly(today, months)))
