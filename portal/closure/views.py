"""The closure page: the printable closure report, the sign-off the rules ask for, and asking the PMO for it."""
from flask import abort, flash, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.closure import bp
from portal.closure import services as svc
from portal.errors import PortalError
from portal.projects.services import load_project
from portal.projects.workflow import may_transition
from portal.web import apply_error, redirect_to, render


class SignoffForm(FlaskForm):
    comment = TextAreaField("Terms of the sign-off", validators=[Length(max=2000)])


def _page(project, form=None, status=200):
    return render("closure/report.html", status=status, project=project, form=form or SignoffForm(),
                  may_close=may_transition(current_user, project, "closed"), **svc.report(project))


@bp.get("/projects/<ref>/closure")
@login_required
def report(ref):
    """The closure report: objectives, benefits, lessons and the open items handed over; printable."""
    return _page(load_project(ref, current_user))


@bp.post("/projects/<ref>/closure/signoff")
@login_required
def sign_off(ref):
    """The PMO signs off a closure the rules flagged."""
    project = load_project(ref, current_user)
    form = SignoffForm()
    if not form.validate_on_submit():
        return _page(project, form, status=422)
    try:
        svc.sign_off(project, current_user, form.comment.data)
    except PortalError as exc:
        if exc.status == 403:
            abort(403, description=str(exc))
        return _page(project, form, status=apply_error(form, exc))
    flash("Closure signed off.", "success")
    return redirect_to(url_for("closure.report", ref=project.ref))


@bp.post("/projects/<ref>/closure/ask")
@login_required
def ask(ref):
    """The manager asks the PMO for the sign-off."""
    project = load_project(ref, current_user)
    if not may_transition(current_user, project, "closed"):
        abort(403, description="Only the project's manager or the PMO may close it.")
    form = SignoffForm()
    if not form.validate_on_submit():
        abort(400, description="This form is out of date; reload the page.")
    svc.ask_for_signoff(project, current_user)
    flash("The PMO was asked to sign off the closure.", "success")
    return redirect_to(url_for("closure.report", ref=project.ref))
