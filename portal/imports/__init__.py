"""Importing existing projects, and their risks and issues, from CSV or Excel: preview, map columns, confirm."""
from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/pmo/import")

from portal.imports import views  # noqa: E402,F401
