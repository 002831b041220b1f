"""Admin pages: list, create, edit, deactivate users; read the audit trail."""
from flask import abort, flash, request, url_for
from flask_login import current_user

from portal.admin import bp
from portal.admin.forms import UserCreateForm, UserEditForm, UserFilterForm, UserStateForm
from portal.audit.services import TRAIL_COLUMNS, history, recent, trail_rows
from portal.auth.models import User
from portal.auth.services import create_user, search_users, update_user
from portal.csvexport import EXPORT_PATH, export_response
from portal.errors import PortalError
from portal.pagination import page_arg
from portal.permissions import require
from portal.web import apply_error, redirect_to, render


@bp.get("/users")
@require("admin.users")
def users():
    """All accounts, filtered and paginated; htmx gets only the table."""
    form = UserFilterForm(formdata=request.args, meta={"csrf": False})
    form.validate()
    page = search_users(form.q.data or "", form.role.data or "", form.active.data or "", page_arg())
    return render("admin/users.html", fragment="admin/_users_table.html", form=form,
                  rows=page.rows, total=page.total, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@require("admin.users")
def user_new():
    """Create an account with a role and an initial password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.role.data, form.password.data,
                               form.department.data or "", actor=current_user)
        except PortalError as exc:
            apply_error(form, exc)
        else:
            flash(f"Account created for {user.email}.", "success")
            return redirect_to(url_for("admin.users"))
    return render("admin/user_new.html", form=form, status=422 if request.method == "POST" else 200)


def _load_user(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("admin.users")
def user_edit(user_id):
    """Change a person's name, role or department; shows their history."""
    user = _load_user(user_id)
    form = UserEditForm(obj=user)
    status = 200
    if form.validate_on_submit():
        try:
            update_user(user, current_user, form.version.data, name=form.name.data,
                        role=form.role.data, department=form.department.data or "")
        except ValueError as exc:  # refused (a PortalError), or a damaged version field
            apply_error(form, exc)
            status = 409  # a damaged version field is answered as a stale form
        else:
            flash(f"Saved {user.email}.", "success")
            return redirect_to(url_for("admin.users"))
    elif request.method == "POST":
        status = 422
    return render("admin/user_edit.html", form=form, user=user, state_form=UserStateForm(),
                  events=history("user", user.id), status=status)


@bp.post("/users/<int:user_id>/<any(deactivate, activate):change>")
@require("admin.users")
def user_state(user_id, change):
    """Deactivate (ending every session) or reactivate an account."""
    user = _load_user(user_id)
    form = UserStateForm()
    if not form.validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    try:
        update_user(user, current_user, form.version.data, active=(change == "activate"))
    except PortalError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{user.email} is {'reactivated' if change == 'activate' else 'deactivated'}.", "success")
    return redirect_to(url_for("admin.user_edit", user_id=user.id))


@bp.get("/audit")
@require("admin.audit")
def audit():
    """The audit trail, newest first."""
    kind = request.args.get("type", "")[:32]
    page = recent(page_arg(), 50, kind or None)
    return render("admin/audit.html", events=page.rows, page=page, kind=kind)


@bp.get(f"/audit/{EXPORT_PATH}")
@require("admin.audit")
def audit_export(fmt):
    """The audit trail as on the page (one object type or all), as CSV or Excel, streamed."""
    kind = request.args.get("type", "")[:32] or None
    return export_response(fmt, "audit-trail", TRAIL_COLUMNS, lambda: trail_rows(kind))
