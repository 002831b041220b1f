"""The portfolio's risk pages: heat map, top ten, escalations, reviews due, and every open risk and issue."""
from flask import request
from flask_login import current_user, login_required

from portal.csvexport import EXPORT_PATH, export_response
from portal.memo import kept_page
from portal.numbers import parse_int
from portal.pagination import page_arg, paginate
from portal.risks import bp
from portal.risks import portfolio as pf
from portal.risks.forms import STATUS_LABELS, FilterForm
from portal.risks.models import Issue
from portal.risks.queries import CSV_COLUMNS, csv_rows
from portal.risks.services import today
from portal.web import is_fragment_request, render

PER_PAGE = 50
RISKS_PER_PAGE = 25  # the open-risk list is re-sent on every filter, sort and page turn: kept under 10 KB


@bp.get("/risks/")
@login_required
@kept_page()
def portfolio():
    """Open risks across the projects you may see; htmx gets only the filtered list."""
    form = FilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        form = FilterForm(formdata=None, meta={"csrf": False})
    now = today()
    page = pf.risk_page(current_user, form.filters(), now, form.sort.data or "score", page_arg(), RISKS_PER_PAGE)
    context = dict(form=form, rows=page.rows, total=page.total, page=page, today=now, labels=STATUS_LABELS)
    if not is_fragment_request():
        # The heat map, top ten and escalations come from portfolio_overview after the first paint.
        context.update(mine=pf.my_overdue_reviews(current_user, now), owners=pf.risk_owners(current_user))
    return render("risks/portfolio.html", fragment="risks/_portfolio_list.html", **context)


@bp.get("/risks/overview")
@login_required
@kept_page()
def portfolio_overview():
    """The portfolio's heat map, top ten and escalations: loaded by the risks page after its first paint,
    and a page of its own without JavaScript."""
    now = today()
    return render("risks/portfolio_overview.html", fragment="risks/_portfolio_overview.html",
                  heat=pf.portfolio_heatmap(current_user), top=pf.top_risks(current_user, now),
                  escalated=pf.escalated_risks(current_user, now))


@bp.get(f"/risks/{EXPORT_PATH}")
@login_required
def portfolio_export(fmt):
    """The filtered portfolio risk list as CSV or Excel, in the list's order; only projects you may see."""
    form = FilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        form = FilterForm(formdata=None, meta={"csrf": False})
    filters, sort, now = form.filters(), form.sort.data or "score", today()
    return export_response(fmt, "portfolio-risks", CSV_COLUMNS,
                           lambda: csv_rows(pf.visible_risks(current_user, filters, now), sort))


@bp.get("/risks/issues")
@login_required
@kept_page()
def portfolio_issues():
    """Open issues across the projects you may see, overdue ones flagged."""
    now = today()
    query = pf.visible_issues(current_user, request.args.get("project", "")[:32],
                              request.args.get("owner", type=parse_int), request.args.get("overdue") == "1", now)
    page = paginate(query.order_by(Issue.due_date.asc(nulls="LAST"), Issue.priority.desc(), Issue.id).objects(),
                    page_arg(), PER_PAGE)
    return render("risks/portfolio_issues.html", rows=page.rows, total=page.total, page=page, today=now)
