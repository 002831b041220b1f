"""Webhooks: events the PMO chooses, signed and delivered to other systems (Teams, Slack, anything JSON).

Features announce an event with `events.emit()` inside the transaction that made
the change; the delivery rows commit with it and `portal remind` (or `portal
webhooks deliver`) sends them, retrying with back-off.
"""
from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/pmo/webhooks")

from portal.webhooks import views  # noqa: E402,F401
