"""Discussion: comments with mentions on a project and on its records; notification preferences."""
from flask import Blueprint

bp = Blueprint("discussion", __name__)

from portal.discussion import permissions, preferences, views  # noqa: E402,F401
