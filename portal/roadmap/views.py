"""The roadmap page: a server-drawn SVG (or the same data as a table), filtered, grouped and zoomed by URL."""
import time

from flask import abort, request
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.memo import kept_page
from portal.projects.queries import departments_and_managers
from portal.projects.rules import current_rules
from portal.roadmap import bp
from portal.roadmap.forms import RoadmapForm
from portal.roadmap.services import GROUPS, ZOOMS, roadmap
from portal.web import render


@bp.get("/")
@login_required
@kept_page()
def index():
    """Every project you may see from start to end, its phase, milestones and dependencies; printable on A3."""
    form = RoadmapForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        abort(400, description="Those roadmap settings are not valid.")
    started = time.perf_counter()
    today = utcnow().date()
    data = roadmap(current_user, form.filters(), form.chosen("group", GROUPS), form.chosen("zoom", ZOOMS),
                   form.start.data, today)
    departments, managers = departments_and_managers(current_user)
    response = render("roadmap/page.html", form=form, data=data, today=today, table=form.view.data == "table",
                      departments=departments, managers=managers, categories=list(current_rules()["categories"]))
    response.headers["Server-Timing"] = f"roadmap;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response
