"""Change requests (the C of a RAID log), who decides them, and the baseline history they write."""
from flask import Blueprint

bp = Blueprint("changes", __name__)

from portal.changes import permissions, views  # noqa: E402,F401
