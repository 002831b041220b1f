"""Comment threads (project discussion and any registered record), mentions and notification settings."""
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.discussion import bp
from portal.discussion import services as svc
from portal.discussion.forms import ActionForm, CommentForm, PreferenceForm
from portal.discussion.targets import resolve
from portal.errors import PortalError
from portal.notify.preferences import notification_preference, set_notification_preference
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.web import apply_error, is_fragment_request, redirect_to, render

THREAD = "/projects/<ref>/comments/<target>/<int:target_id>/"


def _thread(project, target, target_id, form=None, status=200, edit_form=None, editing=None, notice=""):
    """The thread of one record: the page for a plain request, the fragment for htmx."""
    label, url = resolve(project, target, target_id)
    page = svc.thread(project, target, target_id, page_arg())
    return render("discussion/thread_page.html", fragment="discussion/_thread.html", status=status,
                  project=project, target=target, target_id=target_id, label=label, back_url=url,
                  comments=page.rows, total=page.total, page=page,
                  form=form or CommentForm(formdata=None), action_form=ActionForm(), now=utcnow(),
                  writable=can(current_user, "collab.write", project), may_edit=svc.may_edit,
                  edit_form=edit_form, editing=editing, notice=notice)


@bp.get("/projects/<ref>/discussion/")
@login_required
def index(ref):
    """The project's discussion thread."""
    project = load_project(ref, current_user)
    return _thread(project, "project", project.id)


@bp.get(THREAD)
@login_required
def thread(ref, target, target_id):
    """Any record's thread (a risk's comments are loaded into the risk page from here)."""
    return _thread(load_project(ref, current_user), target, target_id)


@bp.post(THREAD)
@login_required
def add(ref, target, target_id):
    """Post a comment; mentioned members are notified."""
    project = load_project(ref, current_user)
    check("collab.write", project)
    label, url = resolve(project, target, target_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            svc.add_comment(project, current_user, target, target_id, form.body.data, label, url)
        except PortalError as exc:
            apply_error(form, exc)
        else:
            problem = svc.mention_problem(project, form.body.data)
            if is_fragment_request():
                return _thread(project, target, target_id, notice=problem)
            if problem:
                flash(f"Comment posted, but {problem[0].lower()}{problem[1:]}", "warning")
            return redirect_to(url)
    return _thread(project, target, target_id, form=form, status=422)


@bp.route("/projects/<ref>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(ref, comment_id):
    """Change your own comment within 15 minutes (the thread shows it as edited)."""
    project = load_project(ref, current_user)
    comment = svc.load_comment(project, comment_id)
    label, url = resolve(project, comment.target_type, comment.target_id)
    if not svc.may_edit(current_user, comment):
        abort(403, description="Comments can be changed by their author within 15 minutes of posting.")
    form = CommentForm(obj=comment if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            svc.edit_comment(project, comment, current_user, form.body.data, label, url)
        except PortalError as exc:
            abort(exc.status, description=str(exc))
        if is_fragment_request():
            return _thread(project, comment.target_type, comment.target_id)
        return redirect_to(url)
    return _thread(project, comment.target_type, comment.target_id, edit_form=form, editing=comment.id,
                   status=422 if request.method == "POST" else 200)


@bp.post("/projects/<ref>/comments/<int:comment_id>/delete")
@login_required
def delete(ref, comment_id):
    """Remove a comment: its author or the PMO."""
    project = load_project(ref, current_user)
    comment = svc.load_comment(project, comment_id)
    label, url = resolve(project, comment.target_type, comment.target_id)
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    try:
        svc.delete_comment(project, comment, current_user, label)
    except PortalError as exc:
        abort(exc.status, description=str(exc))
    if is_fragment_request():
        return _thread(project, comment.target_type, comment.target_id)
    flash("Comment removed.", "success")
    return redirect_to(url)


@bp.get("/projects/<ref>/mentions")
@login_required
def mentions(ref):
    """People of the project whose name starts with what follows the @ (htmx autocomplete)."""
    project = load_project(ref, current_user)
    return render("discussion/_mentions.html", fragment="discussion/_mentions.html",
                  people=svc.mention_candidates(project, request.args.get("q", "")))


@bp.get("/projects/<ref>/mentions/check")
@login_required
def check_mentions(ref):
    """Before posting: say which @words of the text being typed match nobody on the project (htmx)."""
    project = load_project(ref, current_user)
    return render("discussion/_mention_check.html", fragment="discussion/_mention_check.html",
                  problem=svc.mention_problem(project, (request.args.get("body") or "")[:svc.MAX_BODY]))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Choose how the portal tells you about mentions and other news."""
    form = PreferenceForm(data={"mode": notification_preference(current_user)} if request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            set_notification_preference(current_user, form.mode.data)
            flash("Your notification setting is saved.", "success")
            return redirect_to(url_for("discussion.notification_settings"))
        return render("discussion/preferences.html", form=form, status=422)
    return render("discussion/preferences.html", form=form)
