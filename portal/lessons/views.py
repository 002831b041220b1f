"""Benefits and lessons of a project, closing with lessons, and the lesson search."""
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.csvexport import EXPORT_PATH, export_response
from portal.errors import PortalError
from portal.lessons import bp
from portal.lessons import services as svc
from portal.lessons.forms import BenefitForm, CloseForm, LessonForm, ReviewForm, SearchForm
from portal.lessons.models import CATEGORIES, REVIEWS
from portal.memo import kept_page
from portal.pagination import page_arg
from portal.projects.services import load_project
from portal.projects.workflow import may_transition
from portal.web import apply_error, redirect_to, render

BASE = "/projects/<ref>/lessons"


def _page(project, status=200, benefit_form=None, lesson_form=None, editing=None):
    benefits = svc.benefits_of(project)
    edit_forms = {b.id: BenefitForm(formdata=None, obj=b, prefix=f"b{b.id}") for b in benefits}
    if editing is not None:
        edit_forms[editing[0]] = editing[1]
    return render("lessons/project.html", status=status, project=project, benefits=benefits,
                  lessons=svc.lessons_of(project), categories=CATEGORIES, reviews=REVIEWS,
                  benefit_form=benefit_form or BenefitForm(formdata=None), edit_forms=edit_forms,
                  lesson_form=lesson_form or LessonForm(formdata=None), review_form=ReviewForm(formdata=None),
                  may_close=may_transition(current_user, project, "closed"))


@bp.get(f"{BASE}/")
@login_required
@kept_page()
def project_page(ref):
    """Expected benefits from intake, benefits realised, and the project's lessons learned."""
    return _page(load_project(ref, current_user))


@bp.post(f"{BASE}/benefits")
@login_required
def add_benefit(ref):
    """Record a benefit (manager or PMO)."""
    project = load_project(ref, current_user)
    form = BenefitForm()
    if form.validate_on_submit():
        try:
            svc.add_benefit(project, current_user, form.values())
        except PortalError as exc:
            if exc.status == 403:
                abort(403, description=str(exc))
            return _page(project, status=apply_error(form, exc), benefit_form=form)
        flash("Benefit recorded.", "success")
        return redirect_to(url_for("lessons.project_page", ref=project.ref) + "#benefits")
    return _page(project, status=422, benefit_form=form)


@bp.post(f"{BASE}/benefits/<int:benefit_id>")
@login_required
def update_benefit(ref, benefit_id):
    """Record what a benefit realised (actual and date); a stale form gets 409."""
    project = load_project(ref, current_user)
    benefit = svc.load_benefit(project, benefit_id)
    form = BenefitForm(prefix=f"b{benefit.id}")
    if form.validate_on_submit():
        try:
            svc.update_benefit(benefit, project, current_user, form.version.data or 0, form.values())
        except PortalError as exc:
            if exc.status == 403:
                abort(403, description=str(exc))
            return _page(project, status=apply_error(form, exc), editing=(benefit.id, form))
        flash("Benefit saved.", "success")
        return redirect_to(url_for("lessons.project_page", ref=project.ref) + "#benefits")
    return _page(project, status=422, editing=(benefit.id, form))


@bp.post(f"{BASE}/benefits/<int:benefit_id>/review")
@login_required
def review_benefit(ref, benefit_id):
    """The PMO confirms or queries a benefit after closure."""
    project = load_project(ref, current_user)
    benefit = svc.load_benefit(project, benefit_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(422, description="Choose confirmed or queried.")
    try:
        svc.review_benefit(benefit, project, current_user, form.review.data, form.review_note.data)
    except PortalError as exc:
        abort(exc.status, description=str(exc))
    flash("Review saved.", "success")
    return redirect_to(url_for("lessons.project_page", ref=project.ref) + "#benefits")


@bp.post(f"{BASE}/")
@login_required
def add_lesson(ref):
    """Add a lesson learned to the project."""
    project = load_project(ref, current_user)
    form = LessonForm()
    if form.validate_on_submit():
        try:
            svc.add_lesson(project, current_user, form.values())
        except PortalError as exc:
            if exc.status == 403:
                abort(403, description=str(exc))
            return _page(project, status=apply_error(form, exc), lesson_form=form)
        flash("Lesson recorded.", "success")
        return redirect_to(url_for("lessons.project_page", ref=project.ref) + "#lessons")
    return _page(project, status=422, lesson_form=form)


@bp.route(f"{BASE}/close", methods=["GET", "POST"])
@login_required
def close(ref):
    """Close the project: a closing note and the lessons learned, saved together."""
    project = load_project(ref, current_user)
    if not may_transition(current_user, project, "closed"):
        abort(403, description="Only the project's manager or the PMO may close an active or held project.")
    form = CloseForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            svc.close_with_lessons(project, current_user, form.comment.data, form.values())
        except PortalError as exc:
            if exc.status == 403:
                abort(403, description=str(exc))
            return render("lessons/close.html", project=project, form=form, benefits=svc.benefits_of(project),
                          status=apply_error(form, exc))
        flash(f"{project.ref} is closed; its lessons are in the lessons library.", "success")
        return redirect_to(url_for("lessons.project_page", ref=project.ref))
    return render("lessons/close.html", project=project, form=form, benefits=svc.benefits_of(project),
                  status=422 if request.method == "POST" else 200)


def _search_form():
    form = SearchForm(formdata=request.args, meta={"csrf": False})
    return form if form.validate() else SearchForm(formdata=None, meta={"csrf": False})


@bp.get("/lessons/")
@login_required
@kept_page()
def index():
    """Search the lessons of every project you may see; htmx gets only the results."""
    form = _search_form()
    page = svc.search_lessons(current_user, form.q.data or "", form.category.data or "", page_arg())
    return render("lessons/index.html", fragment="lessons/_results.html", form=form, rows=page.rows,
                  total=page.total, page=page, categories=CATEGORIES)


@bp.get(f"/lessons/{EXPORT_PATH}")
@login_required
def export(fmt):
    """The lessons found, as CSV or Excel; only projects you may see."""
    form = _search_form()
    text, category = form.q.data or "", form.category.data or ""
    return export_response(fmt, "lessons", svc.CSV_COLUMNS, lambda: svc.lesson_rows(current_user, text, category))
