"""Issue logs per project: what has happened and needs action."""
from flask import Blueprint

bp = Blueprint("issues", __name__)

from portal.issues import views  # noqa: E402,F401
