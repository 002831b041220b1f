"""Compliance results for sets of projects (a bounded number of queries however many), snapshots,
trend and editing the checks."""
import datetime

from peewee import fn

from portal.audit.services import record
from portal.compliance.checks import EVALUATORS, RULES, project_facts
from portal.compliance.models import ComplianceCheck, ComplianceSnapshot
from portal.db import db, utcnow
from portal.errors import Stale
from portal.projects.models import Project
from portal.sqlfunc import month_of, months_back

# The checks as installed (migration 0009 stores the same rows); a missing row reads as its default.
DEFAULTS = [("business_case", "Request approved with a business case", 50),
            ("report_on_time", "Status report not overdue", 0),
            ("risk_review", "Risk log reviewed recently", 30),
            ("high_risks_handled", "High risks have an owner and a mitigation", 15),
            ("standards_ack", "Manager acknowledged the mandatory standards", 0),
            ("allocations", "Team allocations recorded", 1),
            ("phase_duration", "In a phase no longer than the phase model allows", 0)]


def checks(enabled_only: bool = True) -> list[ComplianceCheck]:
    """The checks in display order (stored rows, or defaults for keys never stored)."""
    stored = {c.key: c for c in ComplianceCheck.select()}
    out = [stored.get(key) or ComplianceCheck(key=key, label=label, threshold=threshold, position=i, enabled=True,
                                              version=1)
           for i, (key, label, threshold) in enumerate(DEFAULTS, 1)]
    return [c for c in out if c.enabled or not enabled_only]


def load_check(key: str) -> ComplianceCheck | None:
    """One check by key (stored or default), or None for an unknown key."""
    return next((c for c in checks(enabled_only=False) if c.key == key), None)


def evaluate(project_query, today: datetime.date) -> list[dict]:
    """Each project of `project_query` with its results and score: {id, code, name, manager, score,
    results: [(check, passed, reason)], failing: [check]}; one query per check, not per project."""
    projects = project_facts(project_query)
    active = checks()
    if not projects:
        return []
    # The projects' ids as a subquery: one condition for the database however many projects there are.
    ids = project_query.select(Project.id).order_by()
    by_check = {c.key: EVALUATORS[c.key](projects, c.threshold, today, ids) for c in active if c.key in EVALUATORS}
    for p in projects:
        p["results"] = [(c, *by_check[c.key][p["id"]]) for c in active if c.key in by_check]
        p["failing"] = [c for c, passed, _ in p["results"] if not passed]
        p["score"] = round(100 * (len(p["results"]) - len(p["failing"])) / len(p["results"])) if p["results"] else 100
    return projects


def active_projects(user=None):
    """Active projects (those `user` may see, when given): the ones the checks apply to."""
    query = Project.visible_to(user) if user is not None else Project.select()
    return query.where(Project.state == "active")


def scores_for(project_ids, today) -> dict:
    """{project id: score} for the given projects (the dashboard's column)."""
    if not project_ids:
        return {}
    return {p["id"]: p["score"] for p in evaluate(Project.select().where(
        Project.id.in_(list(project_ids)) & (Project.state == "active")), today)}


def fix_url(check_key: str, ref: str) -> tuple[str, dict]:
    """Where a failing check is put right: (endpoint, url arguments)."""
    _, endpoint, extra = RULES[check_key]
    return endpoint, ({} if endpoint == "kb.index" else {"ref": ref, **extra})


def store_snapshot(results: list[dict], day: datetime.date) -> int:
    """Keep today's score of each project once (a second run the same day changes nothing)."""
    rows = [{"project": p["id"], "day": day, "score": p["score"],
             "failing": ",".join(c.key for c in p["failing"])[:255]} for p in results]
    with db.atomic():
        for start in range(0, len(rows), 500):
            ComplianceSnapshot.insert_many(rows[start:start + 500]).on_conflict_ignore().execute()
    return len(rows)


def trend(user, today: datetime.date, months: int = 6) -> list[tuple[str, float, int]]:
    """Per month for the last `months`: (YYYY-MM, average daily score, projects) over visible projects' snapshots."""
    first = months_back(today, months)
    month = month_of(ComplianceSnapshot.day)
    visible = active_projects(user).select(Project.id) if user is not None else Project.select(Project.id)
    rows = (ComplianceSnapshot.select(month, fn.AVG(ComplianceSnapshot.score),
                                      fn.COUNT(fn.DISTINCT(ComplianceSnapshot.project)))
            .where((ComplianceSnapshot.day >= first) & ComplianceSnapshot.project.in_(visible))
            .group_by(month).order_by(month).tuples())
    return [(m, round(float(avg), 1), n) for m, avg, n in rows]


def update_check(check: ComplianceCheck, user, version: int, enabled: bool, threshold: int) -> None:
    """Change a check's switch and threshold; raises Stale when someone saved first; audited."""
    with db.atomic():
        before = {"enabled": check.enabled, "threshold": check.threshold}
        if check.id is None:  # first change of a default: store it, unless someone stored it first
            if version != 1 or ComplianceCheck.select().where(ComplianceCheck.key == check.key).exists():
                raise Stale()
            check.save()
        if not check.save_if_current(version, enabled=enabled, threshold=threshold, updated_at=utcnow(),
                                     updated_by=user.id):
            raise Stale()
        record(user, "compliance.check", "compliance_check", check.id,
               f"Changed compliance check '{check.label}'", before=before,
               after={"enabled": enabled, "threshold": threshold})
