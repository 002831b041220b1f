"""Home page and load-balancer health check."""
from flask import jsonify
from flask_login import current_user, login_required

from portal.db import db
from portal.main import bp
from portal.web import render


@bp.get("/")
@login_required
def home():
    """The signed-in home page: where to go next for this role."""
    return render("main/home.html", user=current_user)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise; no session needed."""
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as exc:  # any driver error means "not healthy"
        return jsonify(status="error", database=type(exc).__name__), 503
    return jsonify(status="ok")
