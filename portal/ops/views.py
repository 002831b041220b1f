"""/healthz (liveness), /readyz (readiness) and /metrics; none needs a session or a request connection."""
from flask import Response, abort, jsonify, request

from portal.ops import bp
from portal.ops.health import readiness
from portal.ops.metrics import access, exposition


def _own_database(view):
    """Mark a view that opens its own database connection (or none), so a dead database cannot fail it early."""
    view.own_database = True
    return view


@bp.get("/healthz")
@_own_database
def healthz():
    """Liveness: the process answers. Never touches the database (restart it only if this fails)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@_own_database
def readyz():
    """Readiness: database reachable, migrations current, shared upload folder present; 200 or 503."""
    result = readiness()
    return jsonify(result), 200 if result["status"] == "ready" else 503


@bp.get("/metrics")
@_own_database
def metrics():
    """Prometheus metrics, for the configured networks or a bearer token only."""
    status = access(request.remote_addr, request.headers.get("Authorization", ""),
                    "X-Forwarded-For" in request.headers)
    if status != 200:
        abort(status)
    return Response(exposition(), mimetype="text/plain; version=0.0.4; charset=utf-8")
