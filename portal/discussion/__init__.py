"""Discussion: comments with mentions on a project and on its records; the notification settings page."""
from flask import Blueprint

bp = Blueprint("discussion", __name__)

from portal.discussion import permissions, views  # noqa: E402,F401
