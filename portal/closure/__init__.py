"""Closing a project under governance: the PMO's sign-off when the rules ask for it, and the closure report."""
from flask import Blueprint

bp = Blueprint("closure", __name__)

from portal.closure import views  # noqa: E402,F401
