"""The home page and the Markdown preview."""
from flask import Blueprint

bp = Blueprint("main", __name__)


@bp.app_template_global()
def project_health(project) -> dict:
    """The health panel's data for a project page (see health.py)."""
    from portal.main.health import project_health as health
    return health(project)

from portal.main import views  # noqa: E402,F401
