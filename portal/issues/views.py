"""A project's issue log: list, add, edit and the history of each issue."""
from flask import flash, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import history
from portal.auth.models import User
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


@bp.get(f"{BASE}/")
@login_required
def index(ref):
    """The issue log, overdue issues flagged; htmx gets only the list."""
    project = _project(ref)
    form = IssueFilterForm(formdata=request.args, meta={"csrf": False})
    form.validate()
    query = (Issue.select(Issue, User.name.alias("owner_name")).join(User, on=(Issue.owner == User.id))
             .where(Issue.project == project.id))
    status = form.status.data or ""
    if status in ISSUE_STATUSES:
        query = query.where(Issue.status == status)
    elif status != "all":
        query = query.where(Issue.status.in_(OPEN_ISSUE))
    if form.overdue.data:
        query = query.where((Issue.due_date < today()) & Issue.status.in_(OPEN_ISSUE))
    page = paginate(query.order_by(*SORTS.get(form.sort.data, SORTS["due"])).objects(), page_arg(), PER_PAGE)
    return render("issues/page.html", fragment="issues/_list.html", project=project, form=form, rows=page.rows,
                  total=page.total, page=page, today=today(),
                  labels=STATUS_LABELS, priorities=PRIORITIES, open_statuses=OPEN_ISSUE,
                  writable=can(current_user, "risks.write", project))


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
