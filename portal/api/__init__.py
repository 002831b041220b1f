"""The read-only JSON API under /api/v1/: token authentication, one registry of endpoints and fields,
and the OpenAPI description generated from it."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from portal.api import access, views  # noqa: E402,F401
