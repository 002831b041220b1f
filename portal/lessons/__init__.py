"""Closure: benefits realised and lessons learned, and the search across every project's lessons."""
from flask import Blueprint

bp = Blueprint("lessons", __name__)

from portal.lessons import permissions, views  # noqa: E402,F401
