"""Compliance with the PMO's standards: checks defined as data, a score per project, trends and reminders."""
from flask import Blueprint

bp = Blueprint("compliance", __name__)

from portal.compliance import permissions, views  # noqa: E402,F401
