"""Resources: who is booked on which project, for how much of their time, and who is overbooked."""
from flask import Blueprint

bp = Blueprint("resources", __name__)


@bp.app_template_global()
def load_class(percent):
    """The grid colour class for a load (see load.py)."""
    from portal.resources.load import load_class as css
    return css(percent)


from portal.resources import permissions, views  # noqa: E402,F401
