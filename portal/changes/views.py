"""Change request pages: the portfolio's changes, a project's changes and baseline history, one change."""
from flask import abort, request, url_for
from flask_login import current_user, login_required

from portal.changes import bp
from portal.changes import services as svc
from portal.changes.forms import ChangeForm, DecideForm
from portal.changes.models import DECIDERS, STATE_LABELS
from portal.errors import NotFound, PortalError
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.web import apply_error, redirect_to, render


@bp.get("/changes/")
@login_required
def index():
    """Change requests across the projects you may see; `state=submitted` lists those awaiting a decision."""
    state = request.args.get("state", "")[:12]
    text = request.args.get("q", "")[:100]
    page = svc.portfolio_page(current_user, state, text, page_arg())
    return render("changes/page.html", fragment="changes/_list.html", rows=page.rows, total=page.total,
                  page=page, state=state, q=text, labels=STATE_LABELS)


def _page(project, form=None, status=200):
    writable = can(current_user, "changes.request", project)
    return render("changes/project.html", status=status, project=project, rows=svc.project_changes(project),
                  baselines=svc.baselines(project), writable=writable, form=form or ChangeForm(),
                  labels=STATE_LABELS, deciders=DECIDERS)


@bp.get("/projects/<ref>/changes/")
@login_required
def project_page(ref):
    """A project's change requests and its baseline history."""
    return _page(load_project(ref, current_user))


@bp.post("/projects/<ref>/changes/")
@login_required
def add(ref):
    """Raise a change request."""
    project = load_project(ref, current_user)
    check("changes.request", project)
    form = ChangeForm()
    if not form.validate_on_submit():
        return _page(project, form, status=422)
    try:
        change = svc.request_change(project, current_user, form.values())
    except PortalError as exc:
        return _page(project, form, status=apply_error(form, exc))
    return redirect_to(url_for("changes.detail", ref=project.ref, change_id=change.id))


def _load(ref, change_id):
    project = load_project(ref, current_user)
    try:
        return project, svc.load_change(project, change_id)
    except NotFound:
        abort(404)


def _detail(project, change, form=None, status=200):
    return render("changes/detail.html", status=status, project=project, change=change,
                  form=form or DecideForm(version=change.version), labels=STATE_LABELS, deciders=DECIDERS,
                  may_decide=can(current_user, "changes.decide", change),
                  may_withdraw=change.state == "submitted" and (
                      current_user.id == change.requested_by_id or can(current_user, "changes.request", project)))


@bp.get("/projects/<ref>/changes/<int:change_id>")
@login_required
def detail(ref, change_id):
    """One change request: its impact, who decides, and the decision."""
    return _detail(*_load(ref, change_id))


@bp.post("/projects/<ref>/changes/<int:change_id>/<any(approve, reject):verdict>")
@login_required
def decide(ref, change_id, verdict):
    """Approve (the baseline moves) or reject (a reason is required)."""
    project, change = _load(ref, change_id)
    check("changes.decide", change)
    form = DecideForm()
    if not form.validate_on_submit():
        return _detail(project, change, form, status=422)
    try:
        svc.decide(project, current_user, change.id, verdict == "approve", form.comment.data, form.version.data)
    except PortalError as exc:
        return _detail(project, change, form, status=apply_error(form, exc))
    return redirect_to(url_for("changes.detail", ref=project.ref, change_id=change.id))


@bp.post("/projects/<ref>/changes/<int:change_id>/withdraw")
@login_required
def withdraw(ref, change_id):
    """Take back a change not yet decided."""
    project, change = _load(ref, change_id)
    try:
        svc.withdraw(project, current_user, change.id)
    except PortalError as exc:
        if exc.status == 403:
            abort(403, description=str(exc))
        return _detail(project, change, status=apply_error(DecideForm(), exc))
    return redirect_to(url_for("changes.detail", ref=project.ref, change_id=change.id))
