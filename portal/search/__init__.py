"""One search box across projects, risks, issues, tickets, knowledge articles, lessons and people."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from portal.search import views  # noqa: E402,F401
