"""Milestone pages: the dependency chains across projects, and a project's milestones with who waits on whom."""
from flask import abort, request, url_for
from flask_login import current_user, login_required

from portal.errors import Stale
from portal.memo import kept_page
from portal.milestones import bp
from portal.milestones import services as svc
from portal.milestones.forms import ForecastForm, MilestoneForm
from portal.milestones.models import Milestone
from portal.pagination import page_arg, paginate
from portal.permissions import can, check
from portal.projects.models import Project
from portal.projects.services import load_project
from portal.web import redirect_to, render

PER_PAGE = 15  # chains (each may be long) are re-sent on every filter and page turn: a page stays under 10 KB


@bp.get("/milestones/")
@login_required
@kept_page()
def index():
    """Chains of dependencies across the projects you can see: if the first slips, everything under it may."""
    at_risk_only = request.args.get("at_risk") == "1"
    chains = svc.chains(svc.visible_edges(current_user))
    if at_risk_only:
        chains = [c for c in chains if c["at_risk"]]
    page = paginate(chains, page_arg(), PER_PAGE)
    return render("milestones/page.html", fragment="milestones/_chains.html", at_risk_only=at_risk_only,
                  chains=page.rows, total=page.total, page=page)


def _page(project, form=None, status=200, stale=None):
    editable = can(current_user, "milestones.edit", project)
    if form is None and editable:
        form = MilestoneForm()
        form.depends_on.choices = svc.predecessor_choices(current_user, project)
    waits_on = svc.edges(Project.id == project.id)
    seen = {pid for (pid,) in Project.visible_to(current_user).select(Project.id)
            .where(Project.id.in_([e["pred_project_id"] for e in waits_on])).tuples()} if waits_on else set()
    # Everyone waiting on this project is listed: a dependant the reader may not see stays unnamed.
    waited_by = svc.edges(svc.PredProject.id == project.id)
    seen_dependants = {pid for (pid,) in Project.visible_to(current_user).select(Project.id)
                       .where(Project.id.in_([e["project_id"] for e in waited_by])).tuples()} if waited_by else set()
    return render("milestones/project.html", status=status, project=project, form=form, editable=editable,
                  milestones=svc.project_milestones(project), stale=stale, waits_on=waits_on, seen=seen,
                  waited_by=waited_by, seen_dependants=seen_dependants)


@bp.get("/projects/<ref>/milestones/")
@login_required
@kept_page()
def project_page(ref):
    """A project's milestones, what it waits on and who waits on it."""
    return _page(load_project(ref, current_user))


@bp.post("/projects/<ref>/milestones/")
@login_required
def add(ref):
    """Add a milestone (optionally waiting on another project's)."""
    project = load_project(ref, current_user)
    check("milestones.edit", project)
    form = MilestoneForm(request.form)
    form.depends_on.choices = svc.predecessor_choices(current_user, project)
    if not form.validate():
        return _page(project, form, status=422)
    svc.add_milestone(project, current_user, form.values())
    return redirect_to(url_for("milestones.project_page", ref=project.ref))


@bp.post("/projects/<ref>/milestones/<int:milestone_id>")
@login_required
def forecast(ref, milestone_id):
    """Move a milestone's forecast or mark it done; a stale form gets 409 and keeps what was typed."""
    project = load_project(ref, current_user)
    check("milestones.edit", project)
    form = ForecastForm(request.form)
    if not form.validate():
        abort(400, description=form.form_errors[0] if form.form_errors else "That forecast is not a valid date.")
    try:
        svc.update_forecast(project, current_user, milestone_id, form.version.data, form.forecast_date.data,
                            form.done.data)
    except Stale:
        current = Milestone.get_by_id(milestone_id)
        who = current.updated_by.name if current.updated_by else "someone"
        return _page(project, status=409, stale=(milestone_id, who, current.updated_at, form.forecast_date.data))
    return redirect_to(url_for("milestones.project_page", ref=project.ref))
