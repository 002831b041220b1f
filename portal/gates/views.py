"""Gate pages: a project's phase and gates, the PMO's queue of reviews, and the phase model editor."""
import datetime
import json

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.errors import NotFound, PortalError
from portal.gates import bp
from portal.gates import services as svc
from portal.gates.forms import GateDecisionForm, ModelForm, RequestForm
from portal.gates.models import REVIEW_LABELS
from portal.gates.phases import ModelError, current_model, current_phases, days_in_phase, history, save_model
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.web import apply_error, redirect_to, render


def _page(project, status=200, request_form=None, decision_form=None, error_review=None):
    gate = svc.next_gate(project)
    phase = current_phases([project.id])[project.id]
    may_request = can(current_user, "gates.request", project)
    criteria = svc.evaluate_criteria(project, gate["gate"]) if gate else []
    return render("gates/project.html", status=status, project=project, gate=gate, phase=phase,
                  days=days_in_phase(phase, datetime.date.today()), history=history(project),
                  reviews=svc.reviews(project), criteria=criteria, may_request=may_request,
                  request_form=request_form or RequestForm(), decision_form=decision_form or GateDecisionForm(),
                  error_review=error_review, labels=REVIEW_LABELS, can_decide=lambda r: can(current_user, "gates.decide", r))


@bp.get("/projects/<ref>/gates/")
@login_required
def project_page(ref):
    """The project's phase, the next gate's criteria and the reviews so far."""
    return _page(load_project(ref, current_user))


@bp.post("/projects/<ref>/gates/")
@login_required
def request_review(ref):
    """Ask for the next gate's review, ticking the checklist."""
    project = load_project(ref, current_user)
    check("gates.request", project)
    form = RequestForm()
    if not form.validate_on_submit():
        return _page(project, status=422, request_form=form)
    try:
        svc.request_review(project, current_user, request.form.getlist("item"), form.note.data)
    except PortalError as exc:
        return _page(project, status=apply_error(form, exc), request_form=form)
    flash("Gate review requested.", "success")
    return redirect_to(url_for("gates.project_page", ref=project.ref))


@bp.post("/projects/<ref>/gates/<int:review_id>/<any(pass, return, reject):decision>")
@login_required
def decide(ref, review_id, decision):
    """Pass, return or reject a gate review."""
    project = load_project(ref, current_user)
    try:
        review = svc.load_review(project, review_id)
    except NotFound:
        abort(404)
    check("gates.decide", review)
    form = GateDecisionForm()
    if not form.validate_on_submit():
        return _page(project, status=422, decision_form=form, error_review=review.id)
    try:
        svc.decide(project, current_user, review.id, decision, form.comment.data, form.version.data)
    except PortalError as exc:
        return _page(project, status=apply_error(form, exc), decision_form=form, error_review=review.id)
    return redirect_to(url_for("gates.project_page", ref=project.ref))


@bp.get("/gates/")
@login_required
def index():
    """Gate reviews waiting for a decision, on the projects you may see."""
    number, model = current_model()
    return render("gates/page.html", rows=svc.waiting(current_user), model=model, number=number,
                  may_edit=can(current_user, "gates.model"))


@bp.route("/gates/model", methods=["GET", "POST"])
@login_required
def model():
    """The PMO edits the phase model; each save is a new version, earlier phases of projects keep their names."""
    check("gates.model")
    number, current = current_model()
    form = ModelForm()
    problems = []
    if request.method == "GET":
        form.body.data = json.dumps(current, indent=2)
    elif form.validate_on_submit():
        try:
            data = json.loads(form.body.data)
        except ValueError as exc:
            problems = [f"Not valid JSON: {exc}"]
        else:
            try:
                row = save_model(data, current_user, form.comment.data or "")
            except ModelError as exc:
                problems = exc.messages
            else:
                flash(f"Phase model version {row.number} saved.", "success")
                return redirect_to(url_for("gates.index"))
    return render("gates/model.html", status=422 if problems or form.errors else 200, form=form,
                  problems=problems, number=number)
