"""Notification pages: the bell's count, the list, marking read."""
from flask import abort, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from portal.notify import bp
from portal.notify.services import for_user, mark_read, unread_count
from portal.pagination import page_arg
from portal.web import redirect_to, render, safe_next


@bp.get("/bell")
@login_required
def bell():
    """The unread count for the header (htmx polls it)."""
    return render("notify/_bell.html", fragment="notify/_bell.html", unread=unread_count(current_user))


@bp.get("/")
@login_required
def index():
    """Your notifications, newest first."""
    page = for_user(current_user, page_arg())
    return render("notify/page.html", fragment="notify/_list.html", rows=page.rows, page=page, form=FlaskForm())


@bp.post("/<int:notification_id>/read")
@bp.post("/read", defaults={"notification_id": None})
@login_required
def read(notification_id):
    """Mark one notification read (then follow its link), or all of them."""
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    mark_read(current_user, notification_id)
    return redirect_to(safe_next(request.form.get("next"), url_for("notify.index")))
