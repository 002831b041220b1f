"""Resource pages: the people × weeks grid, the bookings behind a cell, a person's load, conflicts,
and a project's bookings."""
import datetime

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.auth.models import User
from portal.csvexport import EXPORT_PATH, export_response
from portal.db import utcnow
from portal.memo import kept_page
from portal.numbers import int_arg
from portal.pagination import page_arg, paginate
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.resources import bp
from portal.resources import services as svc
from portal.resources.forms import AllocationForm, GridForm
from portal.web import redirect_to, render

PER_PAGE = 50
GRID_PER_PAGE = 25  # 25 people × 12 periods keep the grid fragment small
MAX_SPAN = datetime.timedelta(days=400)


def _window():
    form = GridForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        form = GridForm(formdata=None, meta={"csrf": False})
    start = form.start.data or utcnow().date()
    return form, start, form.unit.data if form.unit.data in ("week", "month") else "week", page_arg()


@bp.get("/resources/")
@login_required
@kept_page()
def index():
    """People × weeks (or months) across all projects, coloured by load; members see only their own row."""
    form, start, unit, page = _window()
    periods, page = svc.grid(current_user, start, unit, 12, page, GRID_PER_PAGE)
    return render("resources/page.html", fragment="resources/_grid.html", form=form, periods=periods, rows=page.rows,
                  total=page.total, page=page, unit=unit, start=start)


@bp.get(f"/resources/{EXPORT_PATH}")
@login_required
def export(fmt):
    """The bookings behind the grid's window (the people you may see), as CSV or Excel."""
    _, start, unit, _ = _window()
    return export_response(fmt, f"allocations-{start.isoformat()}", svc.ALLOCATION_COLUMNS,
                           lambda: svc.window_allocation_rows(current_user, start, unit))


def _date_arg(name):
    try:
        return datetime.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        abort(400, description=f"'{name}' must be a date (YYYY-MM-DD).")


@bp.get("/resources/cell")
@login_required
def cell():
    """The bookings behind one grid cell: one person, one week or month."""
    person_id = int_arg("person", minimum=1)
    if person_id is None:
        abort(404)
    first, last = _date_arg("from"), _date_arg("to")
    if last < first or last - first > MAX_SPAN:
        abort(400, description="Choose a period of at most a year, ending after it starts.")
    person = svc.load_person(person_id, current_user)
    return render("resources/cell.html", fragment="resources/_cell.html", person=person, first=first, last=last,
                  bookings=svc.bookings_for(person, current_user, first, last))


@bp.get("/resources/people/<int:person_id>")
@login_required
def person(person_id):
    """A person's load for the next twelve weeks and the bookings behind it."""
    person = svc.load_person(person_id, current_user)
    today = utcnow().date()
    weeks = svc.week_loads(person.id, today)
    return render("resources/person.html", person=person, weeks=weeks,
                  bookings=svc.bookings_for(person, current_user, weeks[0][0], weeks[-1][0] + datetime.timedelta(6)))


@bp.get("/resources/conflicts")
@login_required
@kept_page()
def conflicts():
    """Everyone over 100% in a week of the window: when, by how much, on which projects, under which managers."""
    form, start, _, page = _window()
    page = paginate(svc.conflicts(current_user, start), page, PER_PAGE)
    return render("resources/conflicts.html", form=form, start=start, page=page, runs=page.rows, total=page.total)


def _form(project, formdata=None):
    form = AllocationForm(formdata=formdata)
    form.person.choices = list(User.active_users().select(User.id, User.name).order_by(User.name).tuples())
    return form


def _project_page(project, form=None, conflict=None, status=200):
    bookable = can(current_user, "resources.book", project)
    return render("resources/project.html", status=status, project=project,
                  allocations=svc.project_allocations(project), bookable=bookable,
                  form=form or (_form(project) if bookable else None), conflict=conflict,
                  may_overbook=can(current_user, "resources.overbook"))


@bp.get("/projects/<ref>/resources/")
@login_required
@kept_page()
def project_page(ref):
    """A project's bookings; its manager and the PMO book and release people here."""
    return _project_page(load_project(ref, current_user))


@bp.get(f"/projects/<ref>/resources/{EXPORT_PATH}")
@login_required
def project_export(ref, fmt):
    """A project's bookings as CSV or Excel; the same access as its page."""
    project = load_project(ref, current_user)
    return export_response(fmt, f"allocations-{project.ref}", svc.ALLOCATION_COLUMNS,
                           lambda: svc.project_allocation_rows(project))


@bp.post("/projects/<ref>/resources/")
@login_required
def book(ref):
    """Book a person; a booking that takes them over 100% shows the conflict instead of saving."""
    project = load_project(ref, current_user)
    check("resources.book", project)
    form = _form(project, request.form)
    if not form.validate():
        return _project_page(project, form, status=422)
    try:
        allocation = svc.book(project, current_user, form.values(), allow_over=form.allow_over.data)
    except svc.Overbooked as exc:
        return _project_page(project, form, conflict=exc.weeks, status=exc.status)
    flash(f"Booked {allocation.person.name} on {project.code} at {allocation.percent}% "
          f"from {allocation.start_date:%Y-%m-%d} to {allocation.end_date:%Y-%m-%d}.", "success")
    return redirect_to(url_for("resources.project_page", ref=project.ref))


@bp.post("/projects/<ref>/resources/<int:allocation_id>/release")
@login_required
def release(ref, allocation_id):
    """Release a person from the project (the booking is removed; the audit trail keeps it)."""
    project = load_project(ref, current_user)
    check("resources.book", project)
    svc.release(project, current_user, allocation_id)
    return redirect_to(url_for("resources.project_page", ref=project.ref))
