"""Single sign-on pages: start and finish an OpenID Connect sign-in; wiring of the directory and proxy sign-ins."""
from flask import abort, current_app, flash, request, session, url_for
from flask_login import login_user

from portal.auth import bp, directory, oidc, proxy
from portal.auth.provisioning import check_role_map
from portal.errors import PortalError
from portal.web import redirect_to, render, safe_next

NEXT_KEY = "sso_next"


@bp.record_once
def _configure(state):
    """Check the sign-in settings and register the OpenID provider when the blueprint is registered."""
    app = state.app
    check_role_map(app.config["LDAP_ROLE_GROUPS"], "PORTAL_LDAP_ROLE_GROUPS")
    proxy.check_settings(app.config)
    oidc.init_app(app)


bp.before_app_request(proxy.sign_in_from_header)


@bp.after_app_request
def _allow_the_provider_as_form_target(response):
    """The login page's "Sign in with…" form ends at the provider: its CSP form-action must allow that origin.

    Registered with the blueprint, this runs after the factory's security headers (hooks run last-registered
    first), so it amends the policy they set.
    """
    if request.endpoint != "auth.login" or not oidc.enabled(current_app.config):
        return response
    policy = response.headers.get("Content-Security-Policy", "")
    if "form-action 'self'" in policy:
        origins = " ".join(oidc.provider_origins())
        response.headers["Content-Security-Policy"] = policy.replace("form-action 'self'",
                                                                     f"form-action 'self' {origins}")
    return response


def sso_failed(exc: PortalError):
    """A clear page with the way back to the sign-in form (4xx, never a server error)."""
    return render("auth/sso_error.html", status=exc.status, message=str(exc),
                  provider=current_app.config["OIDC_NAME"])


@bp.post("/login/sso")
def sso_start():
    """Send the browser to the identity provider (the form posts, so another site cannot start it)."""
    if not oidc.enabled(current_app.config):
        abort(404)
    session[NEXT_KEY] = safe_next(request.form.get("next", ""), url_for("main.home"))
    try:
        return oidc.start(url_for("auth.sso_callback", _external=True), request.remote_addr or "unknown")
    except PortalError as exc:
        return sso_failed(exc)


@bp.get("/login/sso/callback")
def sso_callback():
    """The provider sends the browser back here: verify, create or refresh the account, sign in."""
    if not oidc.enabled(current_app.config):
        abort(404)
    try:
        user = oidc.finish(request.args, request.remote_addr or "unknown")
    except PortalError as exc:
        return sso_failed(exc)
    target = safe_next(session.get(NEXT_KEY, ""), url_for("main.home"))
    session.clear()  # a fresh session at sign-in: nothing planted before it survives
    login_user(user)
    flash(f"Welcome, {user.name}.", "success")
    return redirect_to(target)


def login_page_context() -> dict:
    """What the login page shows about single sign-on and the directory."""
    config = current_app.config
    return {"sso_name": config["OIDC_NAME"] if oidc.enabled(config) else "",
            "directory": directory.enabled(config)}
