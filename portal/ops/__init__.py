"""Operations: liveness and readiness probes and Prometheus metrics, for load balancers and monitoring."""
from flask import Blueprint

bp = Blueprint("ops", __name__)

from portal.ops import views  # noqa: E402,F401
