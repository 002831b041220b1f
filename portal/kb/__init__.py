"""Knowledge base: standards, templates, training and FAQ from Markdown files."""
from flask import Blueprint

bp = Blueprint("kb", __name__, url_prefix="/kb")

# Every view module registers here, so the reading, editing and report pages
# never import each other to get registered.
from portal.kb import editor_views, permissions, report_views, views  # noqa: E402,F401
