"""Personal access tokens for the read API, private calendar feeds, and the pages that manage both."""
from flask import Blueprint

bp = Blueprint("tokens", __name__)

from portal.tokens import permissions, views  # noqa: E402,F401
