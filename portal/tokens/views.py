"""The token page, the admin's list of everyone's tokens, the calendar feed page, the feed itself
and the page of API examples."""
from flask import Response, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.errors import PortalError
from portal.pagination import page_arg
from portal.permissions import require
from portal.tokens import bp
from portal.tokens import services as svc
from portal.tokens.calendar import build_calendar
from portal.tokens.forms import ActionForm, TokenForm
from portal.web import apply_error, redirect_to, render


def _token_page(form=None, secret=None, token=None, status=200):
    return render("tokens/tokens.html", status=status, form=form or TokenForm(formdata=None),
                  tokens=svc.tokens_of(current_user), action=ActionForm(), secret=secret, new_token=token,
                  now=utcnow(), has_feed=svc.has_feed(current_user))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
@require("tokens.own")
def tokens():
    """Your API tokens: make one (its secret is shown once, on this answer only), see when each was used."""
    if request.method == "GET":
        return _token_page()
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = svc.create_token(current_user, form.name.data, form.days.data)
        except PortalError as exc:
            apply_error(form, exc)
        else:
            # Rendered, not redirected: the secret must not travel in a URL or wait in the session.
            return _token_page(secret=secret, token=token)
    return _token_page(form=form, status=422)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
@require("tokens.own")
def revoke(token_id):
    """Revoke one of your tokens: the next call made with it is refused."""
    _check_form()
    token = _load(token_id, any_owner=False)
    flash(f"Token “{token.name}” revoked." if svc.revoke_token(token, current_user)
          else f"Token “{token.name}” was revoked already.", "success")
    return redirect_to(url_for("tokens.tokens"))


@bp.get("/admin/tokens")
@login_required
@require("tokens.all")
def admin_tokens():
    """Everyone's tokens: who holds which, when each was last used and from where; revoke any."""
    live_only = request.args.get("live") == "1"
    page = svc.all_tokens(page_arg(), live_only=live_only)
    return render("tokens/admin.html", page=page, rows=page.rows, live_only=live_only, action=ActionForm(),
                  now=utcnow())


@bp.post("/admin/tokens/<int:token_id>/revoke")
@login_required
@require("tokens.all")
def admin_revoke(token_id):
    """Revoke anyone's token."""
    _check_form()
    token = _load(token_id, any_owner=True)
    svc.revoke_token(token, current_user)
    flash(f"Token “{token.name}” of {token.user.name} revoked.", "success")
    return redirect_to(url_for("tokens.admin_tokens"))


@bp.get("/account/calendar")
@login_required
@require("tokens.own")
def calendar_page():
    """Your private calendar feed: make its address, make a new one, or switch it off."""
    return _calendar_page()


def _calendar_page(secret=None):
    url = url_for("tokens.feed", secret=secret, _external=True) if secret else None
    return render("tokens/calendar.html", action=ActionForm(), feed_url=url, has_feed=svc.has_feed(current_user),
                  last_used=svc.feed_last_used(current_user))


@bp.post("/account/calendar")
@login_required
@require("tokens.own")
def calendar_regenerate():
    """A new feed address (shown once); the old one stops working at once."""
    _check_form()
    return _calendar_page(secret=svc.new_feed_secret(current_user))


@bp.post("/account/calendar/stop")
@login_required
@require("tokens.own")
def calendar_stop():
    """Switch your feed off."""
    _check_form()
    svc.stop_feed(current_user)
    flash("Your calendar feed is switched off.", "success")
    return redirect_to(url_for("tokens.calendar_page"))


@bp.get("/calendar/<secret>.ics")
def feed(secret):
    """The feed a calendar app subscribes to: the secret in the address is the only key."""
    user = svc.feed_user(secret)
    if user is None:
        abort(404)
    body = build_calendar(user, current_app.config["BASE_URL"])
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="pmo-portal.ics"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/api/")
@login_required
def api_help():
    """How to call the read API: curl, Excel Power Query and Power BI, with a token."""
    return render("tokens/api_help.html", base=request.host_url.rstrip("/"))


def _check_form():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="This form is out of date. Reload the page and try again.")


def _load(token_id, any_owner):
    try:
        return svc.load_token(token_id, current_user, any_owner=any_owner)
    except PortalError:
        abort(404)
