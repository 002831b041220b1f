"""Dashboard pages: the portfolio, a row's latest report in place, the CSV export and the executive summary."""
from flask import abort, request, url_for
from flask_login import current_user, login_required

from portal.compliance.services import scores_for
from portal.csvexport import EXPORT_PATH, export_response
from portal.dashboard import bp
from portal.dashboard import services as svc
from portal.dashboard.forms import DashboardFilterForm
from portal.db import utcnow
from portal.memo import kept_page, remember
from portal.pagination import page_arg, paginate
from portal.permissions import can, require
from portal.projects.queries import departments_and_managers
from portal.projects.rules import current_rules
from portal.projects.services import load_project
from portal.status.charts import rag_mix, sparkline
from portal.status.figures import rag_mix as rag_months
from portal.status.services import previous_report
from portal.web import render

PER_PAGE = 25  # a page of rows is rendered for every filter, sort and page turn: kept short


def _form():
    form = DashboardFilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        abort(400, description="Those filters are not valid.")
    return form


def _portfolio(form):
    today = utcnow().date()
    filters = form.filters()
    rows = svc.portfolio_rows(current_user, filters, today)
    rows = svc.sort_rows(rows, form.sort.data or "code", form.dir.data == "desc")
    return today, filters, rows


@bp.get("/")
@login_required
@require("dashboard.view")
@kept_page()
def index():
    """Every active project you may see: latest RAG, trend, progress, money, staleness; filter, sort, expand.

    Everything but the form is kept per person, filters, sort, page and day until a table it read
    changes (portal/memo.py): the first reader after a change pays for the portfolio, the rest read it.
    """
    form = _form()
    user = current_user._get_current_object()
    key = ("dashboard.index", user.id, user.role, tuple(sorted(request.args.items(multi=True))), utcnow().date())
    return render("dashboard/page.html", fragment="dashboard/_portfolio.html", form=form, mix=None,
                  mix_url=_mix_url(form), **remember(key, lambda: _index_data(form, user)))


def _index_data(form, user) -> dict:
    today, filters, rows = _portfolio(form)
    page = paginate(rows, page_arg(), PER_PAGE)
    shown = svc.add_details(page.rows)
    internal = can(user, "dashboard.internal")
    stages = svc.reminder_stages({r["id"]: r["due"] for r in shown}) if internal else {}
    compliance = scores_for([r["id"] for r in shown], today)
    departments, managers = departments_and_managers(user)
    sparks = {pid: _rag_sparkline(history) for pid, history in svc.rag_history([r["id"] for r in shown], today).items()}
    return dict(rows=shown, total=page.total, page=page, today=today, internal=internal, stages=stages,
                compliance=compliance, sparks=sparks, figures=svc.headline(rows, svc.projects_by_state(user, filters)),
                heat=svc.heat_counts(rows), departments=departments, managers=managers,
                categories=list(current_rules()["categories"]))


def _rag_sparkline(history):
    """Overall RAG of the last reports as a sparkline: up is better (green 2, amber 1, red 0)."""
    if len(history) < 2:
        return ""
    label = "Overall RAG of the last reports: " + ", ".join(f"{end.isoformat()} {rag}" for end, rag in history)
    return sparkline([{"green": 2, "amber": 1, "red": 0}.get(rag) for _, rag in history], label,
                     colours=[rag for _, rag in history])


def _mix_url(form) -> str:
    """The RAG mix chart's own URL for these filters (the RAG filter and sorting do not change it)."""
    args = {k: v for k, v in form.filters().items() if k != "rag" and v}
    return url_for("dashboard.mix", **args)


@bp.get("/mix")
@login_required
@require("dashboard.view")
@kept_page()
def mix():
    """The portfolio RAG mix chart, which the dashboard loads after its first paint (or a page of its own)."""
    form = _form()
    chart = rag_mix(rag_months(current_user, form.filters(), utcnow().date()), "Portfolio RAG mix, last 12 months")
    return render("dashboard/mix.html", fragment="dashboard/_mix.html", mix=chart)


@bp.get("/projects/<ref>")
@login_required
@require("dashboard.view")
def latest(ref):
    """One project's latest report, swapped into the dashboard under its row (or as a page of its own)."""
    project = load_project(ref, current_user)
    report = previous_report(project)
    return render("dashboard/latest.html", fragment="dashboard/_latest.html", project=project, report=report)


CSV_COLUMNS = ["code", "name", "department", "category", "manager", "overall", "schedule", "budget_rag", "scope",
               "resources", "trend", "percent_complete", "budget", "spent_to_date", "last_period_end",
               "days_since_report", "overdue", "open_high_risks", "overdue_risk_reviews"]


def _csv_rows(rows):
    for r in rows:
        latest = r["latest"] or {}
        yield (r["code"], r["name"], r["department"], r["category"], r["manager_name"], latest.get("rag_overall"),
               latest.get("rag_schedule"), latest.get("rag_budget"), latest.get("rag_scope"),
               latest.get("rag_resources"), r["trend"], r["percent"], r["budget"], r["spent"],
               latest.get("period_end"), r["days"], "yes" if r["overdue"] else "no", r["risks"], r["reviews_due"])


@bp.get(f"/{EXPORT_PATH}")
@login_required
@require("dashboard.view")
def export(fmt):
    """The filtered, sorted portfolio as CSV (formula-safe) or Excel, streamed; the same visibility as the page."""
    form = _form()  # invalid filters answer 400 before any of the body is sent
    return export_response(fmt, "portfolio", CSV_COLUMNS, lambda: _csv_rows(svc.add_details(_portfolio(form)[2])))


@bp.get("/summary")
@login_required
@require("dashboard.view")
@kept_page()
def summary():
    """A printable executive summary: figures, heat map, RAG mix and the red and amber projects."""
    form = _form()
    today, filters, rows = _portfolio(form)
    attention = [r for r in svc.sort_rows(rows, "rag", True) if r["rag"] in ("red", "amber")][:50]
    return render("dashboard/summary.html", rows=rows, attention=attention, today=today,
                  figures=svc.headline(rows, svc.projects_by_state(current_user, filters)),
                  heat=svc.heat_counts(rows),
                  mix=rag_mix(rag_months(current_user, filters, today), "Portfolio RAG mix, last 12 months"))
