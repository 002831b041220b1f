"""The PMO's intake queue and the governance rules page."""
from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/intake")

from portal.intake import views  # noqa: E402,F401
