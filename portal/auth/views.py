"""Sign in, sign out, change password, "Forgot password?" and links that set a password."""
from flask import current_app, flash, g, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.audit.services import record
from portal.auth import bp, directory
from portal.auth.forms import ForgotForm, LoginForm, NewPasswordForm, PasswordForm
from portal.auth.links import link_holder, mail_enabled, request_reset, set_password_by_link
from portal.auth.models import User
from portal.auth.services import Throttled, authenticate, change_password, end_sessions, has_local_password
from portal.auth.sso import login_page_context
from portal.auth.throttle import DEVICE_COOKIE, read_devices, remember_device
from portal.db import db
from portal.errors import PortalError
from portal.notify.outbox import send_soon
from portal.web import apply_error, redirect_to, render, resume_request, safe_next


def _client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _known_devices() -> dict:
    config = current_app.config
    return read_devices(request.cookies.get(DEVICE_COOKIE), current_app.secret_key, config["DEVICE_COOKIE_DAYS"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in; a successful sign-in makes this a known device."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect_to(safe_next(form.next.data, url_for("main.home")))
    status = 422 if request.method == "POST" else 200
    retry_after = None
    resume = resume_request() if request.method == "POST" else ("", [])
    if form.validate_on_submit():
        devices = _known_devices()
        try:
            # Local accounts (break-glass admins among them) keep their password; others go to the directory.
            if directory.uses_directory(form.email.data, current_app.config):
                user = directory.authenticate(form.email.data, form.password.data, _client_address(),
                                              current_app.config, devices=devices)
            else:
                user = authenticate(form.email.data, form.password.data, _client_address(), current_app.config,
                                    devices=devices)
        except Throttled as exc:
            user, status, retry_after = None, apply_error(form, exc), getattr(exc, "retry_after", None)
        except PortalError as exc:
            user, status = None, apply_error(form, exc)
        else:
            if user is None:
                status = 401
                form.form_errors.append("That e-mail and password do not match an active account.")
        if user is not None:
            # A fresh session at sign-in: nothing planted before it survives.
            session.clear()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.name}.", "success")
            if resume[0]:  # a form sent after the session ended: send it on with a fresh token
                g.pop("csrf_token", None)  # the token cached for this request belongs to the cleared session
                response = render("auth/resume_send.html", target=resume[0], fields=resume[1])
            else:
                response = redirect_to(safe_next(form.next.data, url_for("main.home")))
            config = current_app.config
            response.set_cookie(DEVICE_COOKIE, remember_device(devices, user.id, current_app.secret_key),
                                max_age=config["DEVICE_COOKIE_DAYS"] * 86400, httponly=True, samesite="Lax",
                                secure=config["SESSION_COOKIE_SECURE"])
            return response
    # The factory puts the demo accounts in the config: auth stays below the demo data.
    demo = current_app.config.get("DEMO_ACCOUNTS", []) if current_app.config["DEMO_MODE"] else []
    if resume[0]:  # a wrong password: keep carrying the form that waits to be sent
        return render("errors/resume.html", target=resume[0], fields=resume[1], signed_in=False, form=form,
                      method="POST", status=status)
    sso = login_page_context()
    if sso["directory"]:
        form.email.label.text = "E-mail or user name"
    response = render("auth/login.html", form=form, demo_accounts=demo, status=status, **sso)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a link to set a new password; the answer is the same whether the account exists or not."""
    form = ForgotForm()
    config = current_app.config
    status = 422 if request.method == "POST" else 200
    sent = False
    if mail_enabled(config) and form.validate_on_submit():
        try:
            queued = request_reset(form.email.data, _client_address(), config)
        except Throttled as exc:
            status = apply_error(form, exc)
        else:
            send_soon([queued])  # committed: sent off the request, so known and unknown addresses answer alike
            sent, status = True, 200
    response = render("auth/forgot.html", form=form, sent=sent, mail_on=mail_enabled(config),
                      directory_help=config["DIRECTORY_PASSWORD_HELP"],
                      directory_url=config["DIRECTORY_PASSWORD_URL"], status=status)
    if status == 429:
        response.headers["Retry-After"] = "3600"
    return response


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token):
    """Choose a password through an e-mailed link (reset or invitation); the link works once."""
    holder = link_holder(token)
    form = NewPasswordForm()
    status = 200 if holder is not None else 410
    if holder is not None and form.validate_on_submit():
        try:
            user = set_password_by_link(token, form.new.data, _client_address())
        except PortalError as exc:
            status = apply_error(form, exc, rename={"password": "new"})
        else:
            logout_user()
            session.clear()
            flash(f"Your password is set. Sign in as {user.email} with it.", "success")
            return redirect_to(url_for("auth.login"))
    elif holder is not None and request.method == "POST":
        status = 422
    response = render("auth/set_password.html", form=form, holder=holder, status=status)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return response


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: this browser and every other session of the user."""
    with db.atomic():
        end_sessions(User.get_by_id(current_user.id))
        record(current_user, "user.logout", "user", current_user.id, "Signed out everywhere")
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect_to(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; other sessions end, this one continues."""
    form = PasswordForm()
    status = 422 if request.method == "POST" else 200
    retry_after = None
    if form.validate_on_submit():
        user = User.get_by_id(current_user.id)
        try:
            change_password(user, form.current.data, form.new.data, _client_address(),
                            _known_devices().get(user.id, ""), current_app.config)
        except Throttled as exc:
            status, retry_after = apply_error(form, exc), exc.retry_after
        except PortalError as exc:
            status = apply_error(form, exc, rename={"password": "new"})  # the service checks any password
        else:
            login_user(user)  # re-issue this browser's session with the new version
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect_to(url_for("main.home"))
    user = User.get_by_id(current_user.id)
    config = current_app.config
    response = render("auth/password.html", form=form, status=status, local=has_local_password(user),
                      directory_help=config["DIRECTORY_PASSWORD_HELP"], directory_url=config["DIRECTORY_PASSWORD_URL"])
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response
