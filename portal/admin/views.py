"""Admin pages: list, create, invite, import, edit, unlock, deactivate users; read the audit trail."""

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from portal.admin import bp
from portal.admin.forms import (
    ImportConfirmForm,
    ImportUploadForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    UserStateForm,
)
from portal.audit.services import TRAIL_COLUMNS, history, recent, trail_rows
from portal.auth.links import invitation, mail_enabled
from portal.auth.models import User
from portal.auth.people import decode, import_people, preview, sample_csv
from portal.auth.services import create_user, has_local_password, search_users, unlock, update_user
from portal.auth.throttle import lock_state
from portal.csvexport import EXPORT_PATH, export_response
from portal.db import db
from portal.errors import InvalidInput, PortalError
from portal.notify.outbox import send_pending
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
    config = current_app.config
    if form.validate_on_submit():
        mail = None
        try:
            if not form.password.data and not mail_enabled(config):
                raise InvalidInput({"password": "This portal sends no e-mail, so it cannot invite: "
                                                "give an initial password."})
            with db.atomic():
                user = create_user(form.email.data, form.name.data, form.role.data, form.password.data or None,
                                   form.department.data or "", actor=current_user)
                if not form.password.data:
                    mail = invitation(user, current_user, config)
        except PortalError as exc:
            apply_error(form, exc)
        else:
            _send_invitation(mail, user, created=True)
            return redirect_to(url_for("admin.user_edit", user_id=user.id) if mail else url_for("admin.users"))
    return render("admin/user_new.html", form=form, mail_on=mail_enabled(config),
                  status=422 if request.method == "POST" else 200)


def _send_invitation(queued, user, created=False) -> None:
    """Send a queued invitation now and say how it went (the account, its link and the mail are saved)."""
    prefix = f"Account created for {user.email}. " if created else ""
    if queued is None:
        flash(f"{prefix}".strip(), "success")
        return
    sent, _failed = send_pending(only=[queued.id])
    if sent:
        flash(f"{prefix}An invitation to choose a password was e-mailed to {user.email}.", "success")
    else:
        flash(f"{prefix}The invitation could not be sent just now; it stays in the outbox and the next "
              "`portal remind` run sends it.", "error")


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
                  events=history("user", user.id), status=status, local=has_local_password(user),
                  mail_on=mail_enabled(current_app.config),
                  locked_minutes=-(-lock_state(user.email, current_app.config) // 60))


@bp.post("/users/<int:user_id>/invite")
@require("admin.users")
def user_invite(user_id):
    """E-mail the person a link to choose a password (an invitation, or a reset they did not ask for)."""
    user = _load_user(user_id)
    if not UserStateForm().validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    if not mail_enabled(current_app.config):
        abort(409, description="This portal sends no e-mail, so it cannot send a password link.")
    try:
        with db.atomic():
            mail = invitation(user, current_user, current_app.config)
    except PortalError as exc:
        flash(str(exc), "error")
    else:
        _send_invitation(mail, user)
    return redirect_to(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
@require("admin.users")
def user_unlock(user_id):
    """Lift the sign-in lock on an account, for every device."""
    user = _load_user(user_id)
    if not UserStateForm().validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    unlock(user, current_user)
    flash(f"{user.email} can sign in again from any device.", "success")
    return redirect_to(url_for("admin.user_edit", user_id=user.id))


def _import_signer():
    return URLSafeSerializer(current_app.secret_key, salt="people-import")


@bp.route("/users/import", methods=["GET", "POST"])
@require("admin.users")
def users_import():
    """Upload a CSV of people and see what importing it would do, row by row; nothing changes yet."""
    form = ImportUploadForm()
    result = payload = None
    status = 200
    if form.validate_on_submit():
        text = decode(form.file.data.read())
        result = preview(text, current_app.config)
        payload = _import_signer().dumps(text) if result.ok else None
        status = 200 if result.ok else 422
    elif request.method == "POST":
        status = 422
    return render("admin/users_import.html", form=form, result=result, status=status, sample=sample_csv(),
                  confirm=ImportConfirmForm(payload=payload) if payload else None)


@bp.post("/users/import/confirm")
@require("admin.users")
def users_import_confirm():
    """Import the previewed file: every row in one transaction, or none."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400, description="The form was incomplete; upload the file again.")
    try:
        text = _import_signer().loads(form.payload.data)
    except BadSignature:
        abort(400, description="The previewed file was altered on its way back; upload the file again.")
    try:
        result = import_people(text, current_user, current_app.config)
    except PortalError:
        # Someone changed the accounts since the preview: show the fresh preview and its problems.
        result = preview(text, current_app.config)
        return render("admin/users_import.html", form=ImportUploadForm(), result=result, status=409,
                      sample=sample_csv(), confirm=None, changed=True)
    flash(f"Imported: {result.count('create')} created, {result.count('update')} updated, "
          f"{result.count('unchanged')} unchanged.", "success")
    return redirect_to(url_for("admin.users"))


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
