"""Admin pages: list, create, edit, deactivate users; read the audit trail."""
from flask import abort, flash, request, url_for
from flask_login import current_user

from portal.admin import bp
from portal.admin.forms import UserCreateForm, UserEditForm, UserFilterForm, UserStateForm
from portal.audit.services import history, recent
from portal.auth.models import User
from portal.auth.services import AccountError, create_user, search_users, update_user
from portal.permissions import require
from portal.web import redirect_to, render


def _page() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


@bp.get("/users")
@require("admin.users")
def users():
    """All accounts, filtered and paginated; htmx gets only the table."""
    form = UserFilterForm(formdata=request.args, meta={"csrf": False})
    form.validate()
    per_page = 50
    rows, total = search_users(form.q.data or "", form.role.data or "", form.active.data or "",
                               _page(), per_page)
    return render("admin/users.html", fragment="admin/_users_table.html", form=form,
                  rows=rows, total=total, page=_page(), pages=max(1, -(-total // per_page)))


@bp.route("/users/new", methods=["GET", "POST"])
@require("admin.users")
def user_new():
    """Create an account with a role and an initial password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.role.data, form.password.data,
                               form.department.data or "", actor=current_user)
        except AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
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
        except (AccountError, ValueError) as exc:
            form.form_errors.append(str(exc))
            status = 409
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
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{user.email} is {'reactivated' if change == 'activate' else 'deactivated'}.", "success")
    return redirect_to(url_for("admin.user_edit", user_id=user.id))


@bp.get("/audit")
@require("admin.audit")
def audit():
    """The audit trail, newest first."""
    kind = request.args.get("type", "")[:32]
    events = list(recent(_page(), 50, kind or None))
    return render("admin/audit.html", events=events, page=_page(), kind=kind,
                  has_next=len(events) == 50)
