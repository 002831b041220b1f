"""Sign in, sign out and change password."""
from flask import current_app, flash, g, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import bp
from portal.auth.forms import LoginForm, PasswordForm
from portal.auth.models import User
from portal.auth.services import Throttled, authenticate, change_password, end_sessions
from portal.db import db
from portal.errors import PortalError
from portal.web import apply_error, redirect_to, render, resume_request, safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect_to(safe_next(form.next.data, url_for("main.home")))
    status = 422 if request.method == "POST" else 200
    resume = resume_request() if request.method == "POST" else ("", [])
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data,
                                request.remote_addr or "unknown", current_app.config)
        except Throttled as exc:
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
                return render("auth/resume_send.html", target=resume[0], fields=resume[1])
            return redirect_to(safe_next(form.next.data, url_for("main.home")))
    # The factory puts the demo accounts in the config: auth stays below the demo data.
    demo = current_app.config.get("DEMO_ACCOUNTS", []) if current_app.config["DEMO_MODE"] else []
    if resume[0]:  # a wrong password: keep carrying the form that waits to be sent
        return render("errors/resume.html", target=resume[0], fields=resume[1], signed_in=False, form=form,
                      method="POST", status=status)
    return render("auth/login.html", form=form, demo_accounts=demo, status=status)


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: this browser and every other session of the user."""
    with db.atomic():
        end_sessions(User.get_by_id(current_user.id))
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect_to(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; other sessions end, this one continues."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = User.get_by_id(current_user.id)
        try:
            change_password(user, form.current.data, form.new.data)
        except PortalError as exc:
            apply_error(form, exc, rename={"password": "new"})  # the service checks any password
        else:
            login_user(user)  # re-issue this browser's session with the new version
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect_to(url_for("main.home"))
    status = 422 if request.method == "POST" else 200
    return render("auth/password.html", form=form, status=status)
