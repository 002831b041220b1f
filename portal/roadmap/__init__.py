"""The portfolio roadmap: every visible project as a bar in time, with phases, milestones and dependencies."""
from flask import Blueprint

bp = Blueprint("roadmap", __name__, url_prefix="/roadmap")

from portal.roadmap import views  # noqa: E402,F401
