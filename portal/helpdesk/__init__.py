"""The PMO help desk: questions from project teams, answered by the PMO within SLAs."""
from flask import Blueprint

bp = Blueprint("helpdesk", __name__, url_prefix="/helpdesk")

from portal.helpdesk import knowledge_views, permissions, staff_views, views  # noqa: E402,F401
