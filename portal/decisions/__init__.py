"""The decision log of each project (the D of a RAID log) and the portfolio's list of decisions."""
from flask import Blueprint

bp = Blueprint("decisions", __name__)

from portal.decisions import permissions, views  # noqa: E402,F401
