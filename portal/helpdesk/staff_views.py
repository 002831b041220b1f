"""PMO-only help-desk pages: canned answers and the help desk's figures."""
from flask import abort, flash, request, url_for
from flask_login import current_user

from portal.helpdesk import bp
from portal.helpdesk.canned import PLACEHOLDERS, delete_answer, save_answer
from portal.helpdesk.figures import summary
from portal.helpdesk.forms import CannedForm
from portal.helpdesk.models import CATEGORIES, CannedAnswer
from portal.memo import kept_page
from portal.permissions import require
from portal.web import apply_error, redirect_to, render


@bp.get("/canned/")
@require("helpdesk.canned")
def canned_list():
    """The PMO's canned answers."""
    answers = list(CannedAnswer.select().order_by(CannedAnswer.title))
    return render("helpdesk/canned.html", answers=answers)


@bp.route("/canned/new", methods=["GET", "POST"])
@bp.route("/canned/<int:answer_id>", methods=["GET", "POST"])
@require("helpdesk.canned")
def canned_edit(answer_id=None):
    """Create or change a canned answer; a stale edit is refused with 409."""
    answer = None
    if answer_id is not None:
        answer = CannedAnswer.get_or_none(CannedAnswer.id == answer_id)
        if answer is None:
            abort(404)
    form = CannedForm(obj=answer)
    status = 200
    if form.validate_on_submit():
        try:
            version = (form.version.data or 0) if answer is not None else None
            save_answer(current_user, form.title.data, form.body.data, answer, version)
        except ValueError as exc:  # refused (a PortalError), or a damaged version field
            status = apply_error(form, exc)
        else:
            flash("Canned answer saved.", "success")
            return redirect_to(url_for("helpdesk.canned_list"))
    elif request.method == "POST":
        status = 422
    return render("helpdesk/canned_edit.html", form=form, answer=answer, placeholders=PLACEHOLDERS,
                  status=status)


@bp.post("/canned/<int:answer_id>/delete")
@require("helpdesk.canned")
def canned_delete(answer_id):
    """Delete a canned answer (the page asks to confirm first)."""
    answer = CannedAnswer.get_or_none(CannedAnswer.id == answer_id)
    if answer is None:
        abort(404)
    delete_answer(current_user, answer)
    flash(f"Deleted “{answer.title}”.", "success")
    return redirect_to(url_for("helpdesk.canned_list"))


@bp.get("/figures")
@require("helpdesk.work")
@kept_page("minute")
def figures():
    """Backlog by category and age, response and resolution times, SLA, satisfaction, deflections."""
    data = summary()
    return render("helpdesk/figures.html", data=data, categories=dict(CATEGORIES))
