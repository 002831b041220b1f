"""Decision pages: the portfolio's decisions, and a project's decision log with its form."""
from flask import request, url_for
from flask_login import current_user, login_required

from portal.auth.models import User
from portal.decisions import bp
from portal.decisions import services as svc
from portal.decisions.forms import DecisionForm, ResolveForm
from portal.decisions.models import STATUS_LABELS
from portal.errors import PortalError
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.web import apply_error, redirect_to, render


@bp.get("/decisions/")
@login_required
def index():
    """Decisions across the projects you may see; `status=pending` lists the decisions still needed."""
    status = request.args.get("status", "")[:12]
    text = request.args.get("q", "")[:100]
    page = svc.portfolio_page(current_user, status, text, page_arg())
    return render("decisions/page.html", fragment="decisions/_list.html", rows=page.rows, total=page.total,
                  page=page, chosen=status, q=text, labels=STATUS_LABELS)


def _form(project, form=None):
    form = form or DecisionForm()
    form.risks.choices, form.issues.choices = svc.link_choices(project)
    form.decided_by.choices = [(0, "— me —")] + list(User.active_users().select(User.id, User.name).tuples())
    return form


def _page(project, form=None, status=200, resolve_form=None):
    writable = can(current_user, "decisions.write", project)
    return render("decisions/project.html", status=status, project=project, rows=svc.project_decisions(project),
                  writable=writable, form=_form(project, form) if writable else None,
                  resolve_form=resolve_form or ResolveForm(), labels=STATUS_LABELS)


@bp.get("/projects/<ref>/decisions/")
@login_required
def project_page(ref):
    """A project's decision log: decisions needed first, then the newest."""
    return _page(load_project(ref, current_user))


@bp.post("/projects/<ref>/decisions/")
@login_required
def add(ref):
    """Add a decision, or a decision the project needs."""
    project = load_project(ref, current_user)
    check("decisions.write", project)
    form = _form(project, DecisionForm())
    if not form.validate_on_submit():
        return _page(project, form, status=422)
    try:
        svc.record_decision(project, current_user, form.values())
    except PortalError as exc:
        return _page(project, form, status=apply_error(form, exc))
    return redirect_to(url_for("decisions.project_page", ref=project.ref))


@bp.post("/projects/<ref>/decisions/<int:decision_id>/resolve")
@login_required
def resolve(ref, decision_id):
    """Record the decision a pending entry waited for."""
    project = load_project(ref, current_user)
    check("decisions.write", project)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _page(project, status=422, resolve_form=form)
    try:
        svc.resolve(project, current_user, decision_id, form.rationale.data,
                    request.form.get("version", type=int) or 0)
    except PortalError as exc:
        return _page(project, status=apply_error(form, exc), resolve_form=form)
    return redirect_to(url_for("decisions.project_page", ref=project.ref))
