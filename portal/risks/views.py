"""A project's risk log: list, heat map, CSV, inline and full editing, review, escalation, conversion."""
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import history
from portal.csvexport import EXPORT_PATH, export_response
from portal.errors import PortalError
from portal.memo import kept_page
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.risks import bp
from portal.risks import services as svc
from portal.risks.forms import STATUS_LABELS, ActionForm, EscalateForm, FilterForm, RiskForm, RowForm, StatusForm
from portal.risks.models import Issue
from portal.risks.queries import CSV_COLUMNS, csv_rows, project_heatmap, project_risks, row_page_of, with_project
from portal.web import apply_error, hx_trigger, is_fragment_request, redirect_to, render

BASE = "/projects/<ref>/risks"
PER_PAGE = 10


def _project(ref, write=False):
    """The project if the user may see it (else 404); 403 when writing is asked and refused."""
    project = load_project(ref, current_user)
    if write:
        check("risks.write", project)
    return project


def _filters():
    form = FilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        form = FilterForm(formdata=None, meta={"csrf": False})
    return form


def _log(project, add_form=None, status=200, form=None, with_quick_add=False):
    """The log page, or for htmx only the list (and the quick-add form above it when it was the one sent)."""
    form = form or _filters()
    people = svc.project_people(project)
    page = row_page_of(project_risks(project, form.filters(), svc.today()), form.sort.data or "score",
                       page_arg(), PER_PAGE)
    response = render("risks/page.html", fragment="risks/_log_box.html" if with_quick_add else "risks/_log.html",
                      status=status, project=project, form=form,
                      rows=page.rows, total=page.total, page=page, people=people,
                      add_form=add_form or RowForm(formdata=None).with_people(people),
                      heat=project_heatmap(project), writable=can(current_user, "risks.write", project),
                      today=svc.today(), labels=STATUS_LABELS)
    return response


@bp.get(f"{BASE}/")
@login_required
@kept_page()
def index(ref):
    """The risk log: heat map, filters, sortable list; htmx gets only the list."""
    return _log(_project(ref))


@bp.get(f"{BASE}/heatmap")
@login_required
def heatmap(ref):
    """The 5×5 heat map alone, refreshed by the page after a risk changes."""
    project = _project(ref)
    return render("risks/_heatmap.html", project=project, heat=project_heatmap(project))


@bp.get(f"{BASE}/{EXPORT_PATH}")
@login_required
def export(ref, fmt):
    """The filtered log as formula-safe CSV or Excel, streamed, in the page's order; the same access as the page."""
    project = _project(ref)
    form = _filters()
    filters, today = form.filters(), svc.today()
    sort = form.sort.data or "score"
    return export_response(fmt, f"risks-{project.ref}", CSV_COLUMNS,
                           lambda: csv_rows(with_project(project_risks(project, filters, today)), sort))


@bp.post(f"{BASE}/")
@login_required
def create(ref):
    """Quick add from the row above the list; the list and heat map refresh."""
    project = _project(ref, write=True)
    form = RowForm().with_people(svc.project_people(project))
    if form.validate_on_submit():
        try:
            risk = svc.create_risk(project, current_user, form.values())
        except PortalError as exc:
            apply_error(form, exc)
        else:
            if is_fragment_request():
                return hx_trigger(_log(project, form=FilterForm(formdata=None, meta={"csrf": False}),
                                       with_quick_add=True), "risks-changed")
            flash(f"Risk R-{risk.id} added.", "success")
            return redirect_to(url_for("risks.index", ref=project.ref))
    return _log(project, add_form=form, status=422, form=FilterForm(formdata=None, meta={"csrf": False}),
                with_quick_add=True)


def _form_page(project, form, risk=None, status=200):
    return render("risks/form.html", status=status, project=project, form=form, risk=risk)


@bp.route(f"{BASE}/new", methods=["GET", "POST"])
@login_required
def new(ref):
    """The full form for a new risk."""
    project = _project(ref, write=True)
    form = RiskForm().with_people(svc.project_people(project))
    if form.validate_on_submit():
        try:
            risk = svc.create_risk(project, current_user, form.values())
        except PortalError as exc:
            apply_error(form, exc)
        else:
            flash(f"Risk R-{risk.id} added.", "success")
            return redirect_to(url_for("risks.detail", ref=project.ref, risk_id=risk.id))
    return _form_page(project, form, status=422 if request.method == "POST" else 200)


@bp.route(f"{BASE}/<int:risk_id>/edit", methods=["GET", "POST"])
@login_required
def edit(ref, risk_id):
    """The full form; a stale save is refused (409) with your input kept."""
    project = _project(ref, write=True)
    risk = svc.load_risk(project, risk_id)
    form = RiskForm(obj=risk if request.method == "GET" else None).with_people(svc.project_people(project))
    if request.method == "GET":
        form.owner.data = risk.owner_id
        form.version.data = risk.version
        form.residual_probability.data = str(risk.residual_probability or "")
        form.residual_impact.data = str(risk.residual_impact or "")
    elif form.validate_on_submit():
        try:
            svc.update_risk(risk, current_user, _version(form), form.values())
        except PortalError as exc:
            return _form_page(project, form, risk, status=apply_error(form, exc, forbidden_status=422))
        flash(f"Risk R-{risk.id} saved.", "success")
        return redirect_to(url_for("risks.detail", ref=project.ref, risk_id=risk.id))
    else:
        return _form_page(project, form, risk, status=422)
    return _form_page(project, form, risk)


def _version(form) -> int:
    return form.version.data or 0


def _detail(project, risk, status=200, escalate_form=None):
    issue = Issue.select(Issue.id, Issue.title, Issue.status).where(Issue.risk == risk.id).first()
    return render("risks/detail.html", status=status, project=project, risk=risk, issue=issue,
                  history=list(history("risk", risk.id)), today=svc.today(), labels=STATUS_LABELS,
                  writable=can(current_user, "risks.write", project),
                  may_escalate=can(current_user, "risks.escalate", project),
                  status_form=StatusForm(formdata=None, status=risk.status, version=risk.version),
                  escalate_form=escalate_form or EscalateForm(formdata=None), action_form=ActionForm())


@bp.get(f"{BASE}/<int:risk_id>")
@login_required
@kept_page()
def detail(ref, risk_id):
    """One risk: its scores, plan, links and history of every change."""
    project = _project(ref)
    return _detail(project, svc.load_risk(project, risk_id))


def _row(project, risk, status=200, error=None):
    response = render("risks/_row.html", status=status, project=project, r=risk, today=svc.today(),
                      writable=can(current_user, "risks.write", project), labels=STATUS_LABELS, row_error=error)
    return hx_trigger(response, "risks-changed") if status == 200 and request.method == "POST" else response


@bp.get(f"{BASE}/<int:risk_id>/row")
@login_required
def row(ref, risk_id):
    """One row of the log (htmx: leaving inline edit)."""
    project = _project(ref)
    return _row(project, svc.load_risk(project, risk_id))


def _row_form(project, risk, form, status=200):
    return render("risks/_row_form.html", status=status, project=project, r=risk, form=form)


@bp.route(f"{BASE}/<int:risk_id>/row/edit", methods=["GET", "POST"])
@login_required
def row_edit(ref, risk_id):
    """Inline edit of a row: title, category, probability, impact, owner, review date."""
    project = _project(ref, write=True)
    risk = svc.load_risk(project, risk_id)
    form = RowForm(obj=risk if request.method == "GET" else None).with_people(svc.project_people(project))
    if request.method == "GET":
        form.owner.data = risk.owner_id
        form.version.data = risk.version
        return _row_form(project, risk, form)
    if form.validate_on_submit():
        try:
            risk = svc.update_risk(risk, current_user, _version(form), form.values())
        except PortalError as exc:
            return _row_form(project, risk, form, status=apply_error(form, exc, forbidden_status=422))
        if is_fragment_request():
            return _row(project, risk)
        return redirect_to(url_for("risks.index", ref=project.ref))
    return _row_form(project, risk, form, status=422)


def _from_row() -> bool:
    """True when a row of the log sent the action (its URLs carry ?row=1) and htmx wants a fragment."""
    return is_fragment_request() and request.args.get("row") == "1"


def _after_action(project, risk, message):
    """htmx gets the refreshed row; a plain form goes back to the risk with a message."""
    if _from_row():
        return _row(project, risk)
    flash(message, "success")
    return redirect_to(url_for("risks.detail", ref=project.ref, risk_id=risk.id))


@bp.post(f"{BASE}/<int:risk_id>/status")
@login_required
def change_status(ref, risk_id):
    """Quick status change (open, monitoring, closed) from the row or the risk page."""
    project = _project(ref, write=True)
    risk = svc.load_risk(project, risk_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(422, description=form.form_errors[0] if form.form_errors else "Choose open, monitoring or closed.")
    try:
        risk = svc.change_status(risk, current_user, _version(form), form.status.data)
    except PortalError as exc:
        if _from_row():
            return _row(project, svc.load_risk(project, risk_id), status=exc.status, error=str(exc))
        abort(exc.status, description=str(exc))
    return _after_action(project, risk, f"Risk R-{risk.id} is now {STATUS_LABELS[risk.status].lower()}.")


def _one_click(ref, risk_id, action):
    """A one-button write on a risk: (project, risk, what `action(risk, user)` returned); 4xx on refusal."""
    project = _project(ref, write=True)
    risk = svc.load_risk(project, risk_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        return project, risk, action(risk, current_user)
    except PortalError as exc:
        abort(exc.status, description=str(exc))


@bp.post(f"{BASE}/<int:risk_id>/review")
@login_required
def review(ref, risk_id):
    """"Reviewed today": one click records the review and sets the next date."""
    project, _, risk = _one_click(ref, risk_id, svc.mark_reviewed)
    return _after_action(project, risk, f"Review recorded; next review {risk.review_date}.")


@bp.post(f"{BASE}/<int:risk_id>/convert")
@login_required
def convert(ref, risk_id):
    """The risk occurred: open the linked issue and go to it."""
    project, risk, issue = _one_click(ref, risk_id, svc.convert_to_issue)
    flash(f"Risk R-{risk.id} occurred and is now issue I-{issue.id}.", "success")
    return redirect_to(url_for("issues.detail", ref=project.ref, issue_id=issue.id))


@bp.post(f"{BASE}/<int:risk_id>/escalate")
@login_required
def escalate(ref, risk_id):
    """Flag the risk for the PMO's attention, with a note."""
    project = _project(ref)
    check("risks.escalate", project)
    risk = svc.load_risk(project, risk_id)
    form = EscalateForm()
    if form.validate_on_submit():
        try:
            svc.escalate(risk, current_user, form.note.data)
        except PortalError as exc:
            apply_error(form, exc)
        else:
            flash("Escalated to the PMO.", "success")
            return redirect_to(url_for("risks.detail", ref=project.ref, risk_id=risk.id))
    return _detail(project, risk, status=422, escalate_form=form)


@bp.post(f"{BASE}/<int:risk_id>/deescalate")
@login_required
def deescalate(ref, risk_id):
    """Take the risk off the PMO's escalation list."""
    project = _project(ref)
    check("risks.escalate", project)
    risk = svc.load_risk(project, risk_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    svc.clear_escalation(risk, current_user)
    flash("No longer escalated.", "success")
    return redirect_to(url_for("risks.detail", ref=project.ref, risk_id=risk.id))
