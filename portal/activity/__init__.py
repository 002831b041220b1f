"""Activity: a project's feed of changes, and a person's page."""
from flask import Blueprint

bp = Blueprint("activity", __name__)

from portal.activity import views  # noqa: E402,F401
