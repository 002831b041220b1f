"""Demo milestones: a chain where one project's slip puts another's at risk, and bulk milestones for the benchmark."""
import datetime

from portal.db import db, utcnow
from portal.milestones.models import Milestone
from portal.milestones.services import alert_at_risk
from portal.projects.models import Project


def demo_milestones(scale: str, rng) -> str:
    """The DEMO_STEPS entry for milestones and dependencies."""
    today = utcnow().date()
    day = lambda n: today + datetime.timedelta(days=n)  # noqa: E731
    projects = {p.name: p.id for p in Project.select(Project.id, Project.name).where(Project.state == "active")}
    added = 0
    names = ("Warehouse scanning upgrade", "Customer portal relaunch", "Finance close automation")
    if all(n in projects for n in names) and not Milestone.select().where(
            Milestone.project.in_([projects[n] for n in names])).exists():
        with db.atomic():
            scanners = Milestone.create(project=projects[names[0]], name="Scanners live in all sites",
                                        due_date=day(30), forecast_date=day(55))  # slipped
            Milestone.create(project=projects[names[0]], name="Pilot site signed off", due_date=day(-10), done=True)
            stock = Milestone.create(project=projects[names[1]], name="Live stock levels on the portal",
                                     due_date=day(45), depends_on=scanners)
            Milestone.create(project=projects[names[2]], name="Automated stock valuation at month end",
                             due_date=day(75), depends_on=stock)
            Milestone.create(project=projects[names[1]], name="Portal go-live", due_date=day(90))
            alert_at_risk(utcnow(), Milestone.project.in_([projects[n] for n in names]))
        added = 5
    line = f"milestones: {added} demo milestone(s)"
    if scale == "large":
        line += f", {_large(today, rng)} benchmark milestone(s)"
    return line


def _large(today, rng) -> int:
    bench = [pid for (pid,) in Project.select(Project.id).where(
        Project.name.startswith("Bench project ") & Project.state.in_(("active", "on_hold"))
        & ~Project.id.in_(Milestone.select(Milestone.project))).tuples()]
    if not bench:
        return 0
    names = ["Design approved", "Build complete", "User acceptance", "Go live"]

    def row(pid, n, depends_on=None):
        due = today + datetime.timedelta(days=rng.randint(-60, 240))
        slip = rng.random() < 0.3
        return {"project": pid, "name": names[n], "due_date": due, "depends_on": depends_on,
                "forecast_date": due + datetime.timedelta(days=rng.randint(5, 60)) if slip else None,
                "done": due < today and not slip}
    first = [row(pid, n) for pid in bench for n in (0, 1)]
    with db.atomic():
        for start in range(0, len(first), 500):
            Milestone.insert_many(first[start:start + 500]).execute()
        preds = list(Milestone.select(Milestone.id, Milestone.project).where(Milestone.project.in_(bench)).tuples())
        second = []
        for pid in bench:
            pred = rng.choice(preds) if rng.random() < 0.3 else None
            second.append(row(pid, 3, pred[0] if pred and pred[1] != pid else None))
        for start in range(0, len(second), 500):
            Milestone.insert_many(second[start:start + 500]).execute()
    return len(first) + len(second)
