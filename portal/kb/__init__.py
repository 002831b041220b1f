"""Knowledge base: standards, templates, training and FAQ from Markdown files."""
from flask import Blueprint

bp = Blueprint("kb", __name__, url_prefix="/kb")

from portal.kb import permissions, views  # noqa: E402,F401
