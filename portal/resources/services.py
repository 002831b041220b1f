"""Booking and releasing people, and the scoped queries behind the grid, a person's page and the conflicts."""
import datetime
from bisect import bisect_left, bisect_right
from dataclasses import replace
from itertools import pairwise

from flask import abort
from peewee import JOIN

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.db import db, locked
from portal.errors import InvalidInput
from portal.pagination import paginate
from portal.permissions import can
from portal.projects.models import Project
from portal.resources.load import DAY, buckets, load_class, monday, next_working_day, peak
from portal.resources.models import Allocation

FIELDS = ("person", "project", "role", "percent", "start_date", "end_date", "note")
Manager = User.alias("manager")


class Overbooked(InvalidInput):
    """Booking would take the person over 100% (422: the PMO may confirm it with a note).

    `weeks` lists (week start, load with the booking).
    """

    def __init__(self, weeks):
        super().__init__("over-allocated")
        self.weeks = weeks


def people_in_scope(user, start, end):
    """Ids of people whose load `user` may see in the window: everyone for the PMO, admins and executives;
    for managers, themselves and anyone booked on a project they manage; for everyone else, themselves."""
    booked = Allocation.overlapping(start, end).select(Allocation.person)
    if can(user, "resources.all"):
        return booked
    managed = Project.led_by(user)
    return booked.where(Allocation.project.in_(managed) | (Allocation.person == user.id))


def may_see_person(user, person_id: int) -> bool:
    """True when `user` may see `person_id`'s load (themselves, the PMO, or a manager who books them)."""
    if person_id == user.id or can(user, "resources.all"):
        return True
    managed = Project.led_by(user)
    return Allocation.select().where((Allocation.person == person_id) & Allocation.project.in_(managed)).exists()


def load_person(person_id: int, user) -> User:
    """The person if `user` may see their load, else 404 (no existence oracle)."""
    person = User.get_or_none(User.id == person_id)
    if person is None or not may_see_person(user, person.id):
        abort(404)
    return person


def _bookings_by_person(person_ids, start, end) -> dict:
    out = {}
    for pid, s, e, p in (Allocation.overlapping(start, end)
                         .select(Allocation.person, Allocation.start_date, Allocation.end_date, Allocation.percent)
                         .where(Allocation.person.in_(person_ids)).tuples()):
        out.setdefault(pid, []).append((s, e, p))
    return out


def grid(user, start: datetime.date, unit: str = "week", count: int = 12, page: int = 1, per_page: int = 50):
    """One page of people × periods: (periods, Page of rows); a row is (person, [(load, css class)])."""
    periods = buckets(start, unit, count)
    first, last = periods[0][0], periods[-1][1]
    scope = people_in_scope(user, first, last)
    people_query = User.select(User.id, User.name).where(User.id.in_(scope)).order_by(User.name, User.id)
    people = paginate(people_query, page, per_page)
    bookings = _bookings_by_person([p.id for p in people], first, last) if people else {}
    rows = []
    for person in people:
        loads = [peak(bookings.get(person.id, []), s, e) for s, e in periods]
        rows.append((person, [(load, load_class(load)) for load in loads]))
    return periods, replace(people, rows=rows)


def bookings_for(person, user, start, end) -> list:
    """`person`'s bookings touching the days from `start` to `end`; projects `user` cannot see stay unnamed."""
    visible = Project.visible_to(user).select(Project.id)
    rows = (Allocation.overlapping(start, end)
            .select(Allocation, Project.code, Project.name, Project.id.in_(visible).alias("visible"))
            .join(Project, on=(Allocation.project == Project.id))
            .where(Allocation.person == person.id).order_by(Allocation.start_date, Allocation.id).objects())
    return list(rows)


def week_loads(person_id: int, start: datetime.date, weeks: int = 12, extra=None) -> list:
    """[(week start, load)] for `person_id`, optionally counting one more booking `extra` (start, end, percent)."""
    periods = buckets(start, "week", weeks)
    booked = _bookings_by_person([person_id], periods[0][0], periods[-1][1]).get(person_id, [])
    if extra:
        booked.append(extra)
    return [(s, peak(booked, s, e)) for s, e in periods]


def conflicts_for_booking(person_id: int, start, end, percent: int, exclude_id=None) -> list:
    """Weeks in which booking `percent` from `start` to `end` would take the person over 100%: [(week, load)]."""
    query = (Allocation.overlapping(start, end)
             .select(Allocation.start_date, Allocation.end_date, Allocation.percent)
             .where(Allocation.person == person_id))
    if exclude_id:
        query = query.where(Allocation.id != exclude_id)
    booked = list(query.tuples()) + [(start, end, percent)]
    out, week = [], monday(start)
    while week <= end:
        load = peak(booked, max(week, start), min(week + datetime.timedelta(days=6), end))
        if load > 100:
            out.append((week, load))
        week += datetime.timedelta(days=7)
    return out


def book(project, user, values: dict, allow_over: bool = False) -> Allocation:
    """Book a person on `project`; raises Overbooked unless the PMO allows the overbooking (with a note)."""
    with db.atomic():
        # Two bookings of one person at the same moment must queue, or both could pass the check.
        locked(User.select(User.id).where(User.id == values["person"])).first()
        weeks = conflicts_for_booking(values["person"], values["start_date"], values["end_date"], values["percent"])
        if weeks and not (allow_over and can(user, "resources.overbook")):
            raise Overbooked(weeks)
        allocation = Allocation.create(project=project.id, created_by=user.id,
                                       **{k: values[k] for k in FIELDS if k not in ("project",)})
        record(user, "allocation.book", "allocation", allocation.id,
               f"Booked person #{values['person']} at {values['percent']}% on {project.code}"
               + (" (over 100%, allowed by the PMO)" if weeks else ""),
               after=snapshot(allocation, ("person_id", "percent", "start_date", "end_date", "role", "note")),
               project=project)
    return allocation


def release(project, user, allocation_id: int) -> None:
    """Remove a booking from `project` (404 for a booking of another project)."""
    with db.atomic():
        allocation = Allocation.get_or_none((Allocation.id == allocation_id) & (Allocation.project == project.id))
        if allocation is None:
            abort(404)
        before = snapshot(allocation, ("person_id", "percent", "start_date", "end_date", "role", "note"))
        allocation.delete_instance()
        record(user, "allocation.release", "allocation", allocation_id,
               f"Released person #{before['person_id']} from {project.code}", before=before, project=project)


def project_allocations(project) -> list:
    """`project`'s bookings with their people, newest start first."""
    return list(Allocation.select(Allocation, User).join(User, on=(Allocation.person == User.id))
                .where(Allocation.project == project.id)
                .order_by(Allocation.start_date.desc(), Allocation.id.desc()))


def _day(value) -> datetime.date:
    """A date column's value as read straight from the cursor (SQLite gives ISO text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _over_weeks(bookings, periods):
    """[(period start, period end, load)] for the periods in which `bookings` ((start, end, percent))
    take the person over 100 %, as peak() gives each period's load.

    Load only rises where a booking starts, so the busiest working day of a period is its first working
    day or a booking's first working day inside it; any other working day is no busier. Each of those days'
    load is summed once (a running sum over the sorted days), not once per period."""
    if sum(b[2] for b in bookings) <= 100:
        return []
    days = sorted({next_working_day(s) for s, _ in periods} | {next_working_day(b[0]) for b in bookings})
    change = [0] * (len(days) + 1)
    for start, end, percent in bookings:
        first, after = bisect_left(days, start), bisect_right(days, end)
        if first < after:
            change[first] += percent
            change[after] -= percent
    loads, running = [], 0
    for delta in change[:-1]:
        running += delta
        loads.append(running)
    out = []
    for s, e in periods:
        inside = loads[bisect_left(days, s):bisect_right(days, e)]
        load = max(inside, default=0)
        if load > 100:
            out.append((s, e, load))
    return out


def _over_runs(user, periods):
    """{person: (name, [(start, end, load)])} for the people in `user`'s scope (everyone when None) over 100 %
    in a period: one narrow query for the window's bookings, people in name order."""
    first, last = periods[0][0], periods[-1][1]
    scope = people_in_scope(user, first, last) if user else Allocation.overlapping(first, last).select(
        Allocation.person)
    query = (Allocation.overlapping(first, last)
             .select(Allocation.person, User.name, Allocation.start_date, Allocation.end_date, Allocation.percent)
             .join(User, on=(Allocation.person == User.id))
             .where(Allocation.person.in_(scope)).order_by(User.name, Allocation.person))
    people = {}
    for pid, name, s, e, percent in db.execute(query):  # the raw cursor: ~1,600 rows, four values each
        people.setdefault(pid, (name, []))[1].append((_day(s), _day(e), percent))
    out = {}
    for pid, (name, bookings) in people.items():
        weeks = _over_weeks(bookings, periods)
        if weeks:
            out[pid] = (name, weeks)
    return out


def overallocated_people(user, start: datetime.date, weeks: int = 12) -> list[dict]:
    """The people in `user`'s scope over 100 % in a week of the window, in name order, each with the first
    week over and the peak of that run (as `conflicts` gives them), without naming the projects."""
    out = []
    for pid, (name, over) in _over_runs(user, buckets(start, "week", weeks)).items():
        run_peak = over[0][2]
        for (_, e, _), (s, _, load) in pairwise(over):
            if s != e + DAY:
                break
            run_peak = max(run_peak, load)
        out.append({"person": pid, "name": name, "first": over[0][0], "peak": run_peak})
    return out


def conflicts(user, start: datetime.date, weeks: int = 12):
    """Every person in `user`'s scope (everyone when `user` is None, for reminders) over 100% in a week of the window, as runs of consecutive weeks:
    [{person, name, first, last, peak, excess, projects: [(code, name, manager name, visible)], manager_ids}]."""
    periods = buckets(start, "week", weeks)
    first, last = periods[0][0], periods[-1][1]
    over = _over_runs(user, periods)
    if not over:
        return []
    visible = Project.visible_to(user).select(Project.id) if user else Project.select(Project.id)
    rows = (Allocation.overlapping(first, last)
            .select(Allocation.person, Allocation.start_date, Allocation.end_date,
                    Project.code, Project.name, Project.manager, Manager.name,
                    Project.id.in_(visible))
            .join(Project, on=(Allocation.project == Project.id))
            .join(Manager, JOIN.LEFT_OUTER, on=(Project.manager == Manager.id), src=Project)
            .where(Allocation.person.in_(list(over))).tuples())
    bookings = {}
    for pid, s, e, code, pname, manager_id, manager_name, seen in rows:
        bookings.setdefault(pid, []).append((s, e, code, pname, manager_id, manager_name, seen))
    out = []
    for pid, (name, weeks_over) in over.items():
        run = None
        for s, e, load in weeks_over:
            if run is None or s != run["last"] + DAY:
                run = {"person": pid, "name": name, "first": s, "last": e, "peak": load, "weeks": [],
                       "projects": {}, "manager_ids": set()}
                out.append(run)
            run["last"], run["peak"] = e, max(run["peak"], load)
            run["weeks"].append(s)
            for b in bookings.get(pid, []):
                if b[0] <= e and b[1] >= s:
                    run["projects"][b[2]] = (b[2], b[3], b[5], bool(b[6]))
                    run["manager_ids"].add(b[4])
    for run in out:
        run["excess"] = run["peak"] - 100
        run["projects"] = sorted(run["projects"].values())
    return out


ALLOCATION_COLUMNS = ["person", "project", "project_name", "role", "percent", "start_date", "end_date", "note"]


def window_allocation_rows(user, start: datetime.date, unit: str = "week", count: int = 12):
    """The bookings behind the grid's window for the people `user` may see, as ALLOCATION_COLUMNS values;
    a project `user` cannot see stays unnamed, as on the grid's cells."""
    periods = buckets(start, unit, count)
    first, last = periods[0][0], periods[-1][1]
    visible = Project.visible_to(user).select(Project.id)
    query = (Allocation.overlapping(first, last)
             .select(User.name, Project.code, Project.name, Allocation.role, Allocation.percent,
                     Allocation.start_date, Allocation.end_date, Allocation.note, Project.id.in_(visible))
             .join(User, on=(Allocation.person == User.id)).switch(Allocation)
             .join(Project, on=(Allocation.project == Project.id))
             .where(Allocation.person.in_(people_in_scope(user, first, last)))
             .order_by(User.name, Allocation.start_date, Allocation.id).tuples())
    for name, code, project_name, role, percent, s, e, note, seen in query.iterator():
        if seen:
            yield (name, code, project_name, role, percent, s, e, note)
        else:
            yield (name, "", "another project", "", percent, s, e, "")


def project_allocation_rows(project):
    """`project`'s bookings as ALLOCATION_COLUMNS values, newest start first (as on its page)."""
    query = (Allocation.select(User.name, Allocation.role, Allocation.percent, Allocation.start_date,
                               Allocation.end_date, Allocation.note)
             .join(User, on=(Allocation.person == User.id)).where(Allocation.project == project.id)
             .order_by(Allocation.start_date.desc(), Allocation.id.desc()).tuples())
    for name, role, percent, s, e, note in query.iterator():
        yield (name, project.code, project.name, role, percent, s, e, note)
