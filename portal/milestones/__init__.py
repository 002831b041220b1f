"""Milestones and the dependencies between projects: who waits on whom, and who slips when one slips."""
from flask import Blueprint

bp = Blueprint("milestones", __name__)

from portal.milestones import permissions, views  # noqa: E402,F401
