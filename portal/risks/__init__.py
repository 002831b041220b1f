"""Risk logs per project and the portfolio's risk picture."""
from flask import Blueprint

bp = Blueprint("risks", __name__)

from portal.risks import permissions, portfolio_views, views  # noqa: E402,F401
