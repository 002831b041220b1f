"""Signing in and out, passwords, sessions."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import sso, views  # noqa: E402,F401
