"""The project life cycle as the PMO defines it: phases, the gates between them and their reviews."""
from flask import Blueprint

bp = Blueprint("gates", __name__)

from portal.gates import permissions, views  # noqa: E402,F401
