"""Demo allocations: a small team with one person overbooked next month, and bulk bookings for the benchmark."""
import datetime

from portal.auth.models import User
from portal.db import db, utcnow
from portal.projects.models import Project
from portal.resources.models import Allocation

# (project name, person e-mail prefix, role, percent, months from now to start, months long)
SMALL = [
    ("Customer portal relaunch", "member", "Business analyst", 60, 0, 3),
    ("Warehouse scanning upgrade", "member", "Process lead", 60, 1, 2),  # with the line above: 120% next month
    ("Warehouse scanning upgrade", "member4", "Developer", 80, 0, 4),
    ("GDPR records retention", "member2", "Records officer", 50, 0, 3),
    ("Finance close automation", "member2", "Finance analyst", 40, 0, 5),
    ("Customer portal relaunch", "member3", "Designer", 70, 0, 2),
]


def _month_start(today, months):
    day = today.replace(day=1)
    for _ in range(months):
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return day


def demo_allocations(scale: str, rng) -> str:
    """The DEMO_STEPS entry for resources."""
    today = utcnow().date()
    added = 0
    projects = {p.name: p.id for p in Project.select(Project.id, Project.name).where(Project.state == "active")}
    people = {u.email.split("@")[0]: u.id for u in User.select().where(User.email.endswith("@demo.pmo"))}
    if not Allocation.select().where(Allocation.project.in_(list(projects.values()))).exists():
        with db.atomic():
            for name, who, role, percent, start, length in SMALL:
                if name in projects and who in people:
                    first = _month_start(today, start)
                    Allocation.create(project=projects[name], person=people[who], role=role, percent=percent,
                                      start_date=first, end_date=_month_start(first, length) - datetime.timedelta(1))
                    added += 1
    line = f"resources: {added} demo allocation(s)"
    if scale == "large":
        line += f", {_large(today, rng)} benchmark allocation(s)"
    return line


def _large(today, rng) -> int:
    bench = [pid for (pid,) in Project.select(Project.id).where(
        Project.name.startswith("Bench project ") & (Project.state == "active")
        & ~Project.id.in_(Allocation.select(Allocation.project))).tuples()]
    people = [uid for (uid,) in User.select(User.id).where(User.email.endswith("@bench.pmo")
                                                           & (User.role == "member")).tuples()]
    if not bench or not people:
        return 0
    roles = ["Analyst", "Developer", "Tester", "Designer", "Lead"]
    rows = []
    for pid in bench:
        for _ in range(rng.randint(2, 5)):
            start = today + datetime.timedelta(days=rng.randint(-120, 60))
            rows.append({"project": pid, "person": rng.choice(people), "role": rng.choice(roles),
                         "percent": rng.choice([10, 20, 25, 30, 40, 50, 60]), "start_date": start,
                         "end_date": start + datetime.timedelta(days=rng.randint(30, 240))})
    with db.atomic():
        for start in range(0, len(rows), 500):
            Allocation.insert_many(rows[start:start + 500]).execute()
    return len(rows)
