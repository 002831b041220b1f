"""Notifications for every feature: the bell and list, preferences, the e-mail outbox and the daily digest."""
from flask import Blueprint

bp = Blueprint("notify", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _bell():
    """Lets the shared header show the bell once notifications are registered."""
    return {"notifications_enabled": True}


from portal.notify import views  # noqa: E402,F401
