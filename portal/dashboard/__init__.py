"""The executive portfolio dashboard: every active project's latest status, figures, heat map and exports."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from portal.dashboard import boardpack, permissions, views  # noqa: E402,F401
