"""The PMO's own KPIs: is the PMO helping? Monthly figures, each linked to the records behind it."""
from flask import Blueprint

bp = Blueprint("kpis", __name__, url_prefix="/pmo")

from portal.kpis import views  # noqa: E402,F401
