"""Status reports: one per project per reporting period, with history, trends and reminders."""
from flask import Blueprint

bp = Blueprint("status", __name__, url_prefix="/projects")

from portal.status import permissions, views  # noqa: E402,F401
