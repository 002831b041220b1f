"""Saved views: a person's named filters and sort for a list page, private or shared by the PMO."""
from flask import Blueprint

bp = Blueprint("savedviews", __name__, url_prefix="/views")


@bp.app_template_global()
def saved_views_for(page: str) -> list:
    """The saved views of `page` the signed-in person may pick: their own, then the shared ones (one query)."""
    from flask_login import current_user

    from portal.savedviews.services import views_for
    return views_for(current_user, page) if current_user.is_authenticated else []


from portal.savedviews import permissions, views  # noqa: E402,F401
