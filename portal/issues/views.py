"""A project's issue log: list, add, edit and the history of each issue."""
from flask import flash, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import history
from portal.auth.models import User
from portal.csvexport import EXPORT_PATH, export_response
from portal.errors import PortalError
from portal.issues import bp
from portal.issues.forms import STATUS_LABELS, IssueFilterForm, IssueForm
from portal.issues.services import PRIORITIES, create_issue, load_issue, update_issue
from portal.pagination import page_arg, paginate
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.risks.models import ISSUE_STATUSES, OPEN_ISSUE, Issue
from portal.risks.services import project_people, today
from portal.web import apply_error, redirect_to, render

BASE = "/projects/<ref>/issues"
PER_PAGE = 50
SORTS = {"due": (Issue.due_date.asc(nulls="LAST"), Issue.id), "priority": (Issue.priority.desc(), Issue.id),
         "newest": (Issue.created_at.desc(), Issue.id.desc())}


def _project(ref, write=False):
    project = load_project(ref, current_user)
    if write:
        check("risks.write", project)
    return project


def _filtered(project, form):
    """The project's issues matching the filter form, with owners' names, in the order the form asks."""
    query = (Issue.select(Issue, User.name.alias("owner_name")).join(User, on=(Issue.owner == User.id))
             .where(Issue.project == project.id))
    status = form.status.data or ""
    if status in ISSUE_STATUSES:
        query = query.where(Issue.status == status)
    elif status != "all":
        query = query.where(Issue.status.in_(OPEN_ISSUE))
    if form.overdue.data:
        query = query.where((Issue.due_date < today()) & Issue.status.in_(OPEN_ISSUE))
    return query.order_by(*SORTS.get(form.sort.data, SORTS["due"])).objects()


def _filter_form():
    form = IssueFilterForm(formdata=request.args, meta={"csrf": False})
    form.validate()
    return form


@bp.get(f"{BASE}/")
@login_required
def index(ref):
    """The issue log, overdue issues flagged; htmx gets only the list."""
    project = _project(ref)
    form = _filter_form()
    page = paginate(_filtered(project, form), page_arg(), PER_PAGE)
    return render("issues/page.html", fragment="issues/_list.html", project=project, form=form, rows=page.rows,
                  total=page.total, page=page, today=today(),
                  labels=STATUS_LABELS, priorities=PRIORITIES, open_statuses=OPEN_ISSUE,
                  writable=can(current_user, "risks.write", project))


CSV_COLUMNS = ["id", "project", "title", "priority", "status", "owner", "due_date", "overdue", "risk",
               "created_at", "description", "resolution"]


@bp.get(f"{BASE}/{EXPORT_PATH}")
@login_required
def export(ref, fmt):
    """The filtered issue log as CSV or Excel, in the list's order; the same access as the page."""
    project = _project(ref)
    form, now = _filter_form(), today()

    def rows():
        for i in _filtered(project, form).iterator():
            yield (f"I-{i.id}", project.ref, i.title, i.priority, i.status, i.owner_name, i.due_date,
                   "yes" if i.due_date and i.due_date < now and i.status in OPEN_ISSUE else "",
                   f"R-{i.risk_id}" if i.risk_id else "", i.created_at, i.description, i.resolution)
    return export_response(fmt, f"issues-{project.ref}", CSV_COLUMNS, rows)


def _form_page(project, form, issue=None, status=200):
    return render("issues/form.html", status=status, project=project, form=form, issue=issue)


@bp.route(f"{BASE}/new", methods=["GET", "POST"])
@login_required
def new(ref):
    """Add an issue."""
    project = _project(ref, write=True)
    form = IssueForm().with_people(project_people(project))
    if form.validate_on_submit():
        try:
            issue = create_issue(project, current_user, form.values())
        except PortalError as exc:
            apply_error(form, exc)
        else:
            flash(f"Issue I-{issue.id} added.", "success")
            return redirect_to(url_for("issues.detail", ref=project.ref, issue_id=issue.id))
    return _form_page(project, form, status=422 if request.method == "POST" else 200)


@bp.get(f"{BASE}/<int:issue_id>")
@login_required
def detail(ref, issue_id):
    """One issue, its linked risk and its history."""
    project = _project(ref)
    issue = load_issue(project, issue_id)
    return render("issues/detail.html", project=project, issue=issue, history=list(history("issue", issue.id)),
                  labels=STATUS_LABELS, priorities=PRIORITIES, today=today(), open_statuses=OPEN_ISSUE,
                  writable=can(current_user, "risks.write", project))


@bp.route(f"{BASE}/<int:issue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(ref, issue_id):
    """Edit an issue; a stale save is refused (409) with your input kept."""
    project = _project(ref, write=True)
    issue = load_issue(project, issue_id)
    form = IssueForm(obj=issue if request.method == "GET" else None).with_people(project_people(project))
    if request.method == "GET":
        form.owner.data = issue.owner_id
        form.version.data = issue.version
        return _form_page(project, form, issue)
    if form.validate_on_submit():
        try:
            update_issue(issue, current_user, form.version.data or 0, form.values())
        except PortalError as exc:
            return _form_page(project, form, issue, status=apply_error(form, exc, forbidden_status=422))
        flash(f"Issue I-{issue.id} saved.", "success")
        return redirect_to(url_for("issues.detail", ref=project.ref, issue_id=issue.id))
    return _form_page(project, form, issue, status=422)
