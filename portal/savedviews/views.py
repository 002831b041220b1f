"""Saving a list page's current filters under a name, and deleting a saved view."""
from flask import flash, request
from flask_login import current_user, login_required

from portal.errors import InvalidInput
from portal.savedviews import bp
from portal.savedviews.services import delete_view, save_view
from portal.web import redirect_to, safe_next


def _back(query: str = "") -> str:
    path = safe_next(request.form.get("back"), "/").split("?", 1)[0]
    return f"{path}?{query}" if query else path


@bp.post("/")
@login_required
def create():
    """Save the page's current query string as a named view, then show that view."""
    try:
        view = save_view(current_user, request.form.get("page", ""), request.form.get("name", ""),
                         request.form.get("query", ""), request.form.get("shared") == "1")
    except InvalidInput as exc:
        flash("View not saved: " + " ".join(list(exc.errors.values()) or [str(exc)]), "error")
        return redirect_to(_back(request.form.get("query", "").lstrip("?")[:1000]))
    flash(f"Saved the view “{view.name}”{' for everyone' if view.shared else ''}.", "success")
    return redirect_to(_back(view.query))


@bp.post("/<int:view_id>/delete")
@login_required
def delete(view_id):
    """Delete one of your saved views (the page asks first)."""
    view = delete_view(current_user, view_id)
    flash(f"Deleted the view “{view.name}”.", "success")
    return redirect_to(_back())
