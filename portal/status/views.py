"""Status report pages: a project's history with trends, the report form, and one printable report."""
import datetime

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import history
from portal.db import utcnow
from portal.errors import PortalError
from portal.memo import kept_page
from portal.numbers import parse_int
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.status import bp
from portal.status import services as svc
from portal.status.charts import line_chart, rag_grid
from portal.status.forms import StatusForm
from portal.status.models import DIMENSIONS
from portal.status.periods import latest_due, open_periods
from portal.web import apply_error, is_fragment_request, redirect_to, render

PER_PAGE = 20  # a page of the table stays under 10 KB


def _date_or_404(text):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        abort(404)


def trend_charts(project, reports) -> dict:
    """The three trend charts for `reports` (oldest first)."""
    labels = [r.period_end.isoformat() for r in reports]
    rows = [("Overall", [r.rag_overall for r in reports])] + [
        (d.capitalize(), [getattr(r, f"rag_{d}") for r in reports]) for d in DIMENSIONS]
    drift = [(r.period_end.isoformat(), (r.forecast_finish - project.end_date).days
              if r.forecast_finish and project.end_date else None) for r in reports]
    return {"rag": rag_grid(labels, rows, f"RAG over the last {len(reports)} reports"),
            "percent": line_chart([(lab, r.percent_complete) for lab, r in zip(labels, reports, strict=False)],
                                  "Percent complete", low=0, high=100, unit="%"),
            "drift": line_chart(drift, "Forecast finish against the planned end, in days", low=0, unit=" d")}


def _version(text) -> int:
    """The form's version; anything that is not one a save produced counts as stale (-1)."""
    try:
        return parse_int(text or "0")
    except ValueError:
        return -1


@bp.get("/<ref>/status/")
@login_required
@kept_page()
def index(ref):
    """A project's reports, newest first, with RAG, progress and forecast trends."""
    project = load_project(ref, current_user)
    page = svc.reports_page(project, page_arg(), PER_PAGE)
    if is_fragment_request():  # the table alone: no charts or notices to work out
        return render("status/_history.html", project=project, rows=page.rows, total=page.total, page=page)
    today = utcnow().date()
    due = latest_due(project.reporting_cadence, today)
    due_missing = project.state == "active" and svc.report_for(project, due) is None
    return render("status/page.html", fragment="status/_history.html", project=project, rows=page.rows,
                  total=page.total, page=page, charts=trend_charts(project, svc.recent_reports(project)),
                  due=due, due_missing=due_missing, overdue_days=(today - due).days if due_missing else 0)


def _form_page(project, form, previous, status=200, current=None):
    return render("status/form.html", status=status, project=project, form=form, previous=previous,
                  current=current, fields=svc.FIELDS)


@bp.route("/<ref>/status/report", methods=["GET", "POST"])
@login_required
def submit(ref):
    """Write (or edit) a period's report: pre-filled from the previous one, previous values shown beside changes."""
    project = load_project(ref, current_user)
    check("status.submit", project)
    today = utcnow().date()
    form = StatusForm()
    form.period_end.choices = [(d.isoformat(), d.strftime("%Y-%m-%d (%a)")) for d in
                               open_periods(project.reporting_cadence, today)]
    if request.method == "GET":
        period = _date_or_404(request.args["period"]) if request.args.get("period") else \
            svc.default_period(project, today)
        if period not in open_periods(project.reporting_cadence, today):
            abort(403, description="That period is closed: a report can be edited until the next one is due.")
        existing = svc.report_for(project, period)
        previous = svc.previous_report(project, before=period)
        source = existing or previous
        if source is not None:
            form.fill(source)
        form.period_end.data = period.isoformat()
        form.version.data = str(existing.version if existing else 0)
        return _form_page(project, form, previous)
    valid = form.validate_on_submit()
    period = datetime.date.fromisoformat(form.period_end.data) if valid else None
    previous = svc.previous_report(project, before=period)
    if not valid:
        return _form_page(project, form, previous, status=422)
    try:
        report, created = svc.submit_report(project, current_user, period, form.values(),
                                            _version(form.version.data), today=today)
    except PortalError as exc:
        status = apply_error(form, exc)
        current = getattr(exc, "current", None)  # a stale form: the report someone else saved
        if current is not None:
            form.version.data = str(current.version)  # saving again overwrites deliberately
        return _form_page(project, form, previous, status=status, current=current)
    flash(f"Status report for the period ending {period:%Y-%m-%d} {'submitted' if created else 'updated'}.",
          "success")
    return redirect_to(url_for("status.detail", ref=project.ref, period=period.isoformat()))


@bp.get("/<ref>/status/<period>")
@login_required
@kept_page()
def detail(ref, period):
    """One report as a printable page, with its change history."""
    project = load_project(ref, current_user)
    report = svc.load_report(project, _date_or_404(period))
    if report is None:
        abort(404)
    today = utcnow().date()
    editable = can(current_user, "status.submit", project) and report.period_end in open_periods(
        project.reporting_cadence, today)
    return render("status/report.html", project=project, report=report, editable=editable,
                  previous=svc.previous_report(project, before=report.period_end),
                  changes=list(history("status_report", report.id, limit=50)))
