"""Demo risks and issues: a hand-made log for the demo portfolio, and 10,000 risks with 5,000 issues for the benchmark."""
import datetime

from portal.auth.models import User
from portal.db import db, utcnow
from portal.projects.models import Project, ProjectMember
from portal.risks.models import CATEGORIES, RESPONSES, Issue, Risk

# (project name, title, category, probability, impact, residual (p, i) or None, status, review in days,
#  owner, escalation note): every status and every score band appears.
SMALL_RISKS = [
    ("Warehouse scanning upgrade", "Scanner supplier may deliver late", "supplier", 4, 4, (2, 3), "open", -5,
     "manager", "Supplier has missed two milestones; we need a decision on a second source."),
    ("Warehouse scanning upgrade", "Wi-Fi coverage gaps in the cold store", "technical", 3, 4, (2, 2),
     "monitoring", 6, "member4", ""),
    ("Warehouse scanning upgrade", "Staff may resist the new handhelds", "resources", 2, 3, None, "open", -2,
     "member", ""),
    ("Warehouse scanning upgrade", "Peak season overlaps the rollout", "schedule", 5, 5, (3, 4), "occurred", 0,
     "manager", ""),
    ("Warehouse scanning upgrade", "Old scanners cannot be recycled locally", "compliance", 1, 2, None, "closed",
     0, "member4", ""),
    ("GDPR records retention", "Legacy systems cannot delete selectively", "technical", 4, 5, (3, 4), "open", 10,
     "manager", ""),
    ("GDPR records retention", "Business owners may not sign off schedules", "scope", 3, 3, None, "monitoring",
     -9, "member2", ""),
    ("GDPR records retention", "Regulator guidance may change", "compliance", 2, 4, None, "open", 20,
     "member", ""),
    ("Customer portal relaunch", "Payment provider certification delayed", "supplier", 3, 5, (2, 4), "open", 3,
     "manager3", "Go-live depends on it; asking the PMO to raise it with the vendor board."),
    ("Customer portal relaunch", "Accessibility audit finds blocking issues", "quality", 3, 2, None, "open", -1,
     "member3", ""),
    ("Customer portal relaunch", "Content migration takes longer than planned", "schedule", 4, 2, None,
     "occurred", 0, "member", ""),
    ("Finance close automation", "Key accountant leaves mid-project", "resources", 2, 5, None, "monitoring", 12,
     "manager2", ""),
    ("Finance close automation", "ERP upgrade changes the ledger interface", "technical", 1, 4, None, "closed",
     0, "member2", ""),
]
# (project name, title, priority, status, due in days, resolution)
SMALL_ISSUES = [
    ("Warehouse scanning upgrade", "Label printer driver fails on the new handhelds", 3, "in_progress", -3, ""),
    ("GDPR records retention", "Archive export job times out", 4, "open", 5, ""),
    ("Customer portal relaunch", "Test environment down for two days", 2, "resolved", -10,
     "Hosting provider replaced the failed disk."),
    ("Finance close automation", "Month-end report totals differ from the ledger", 3, "closed", -20,
     "Rounding rule aligned with the ledger."),
]


def small_log(rng) -> tuple[int, int]:
    """The hand-made risks and issues (idempotent); returns (risks, issues) added."""
    if Risk.select().where(Risk.title == SMALL_RISKS[0][1]).exists():
        return 0, 0
    people = {u.email.split("@")[0]: u.id for u in User.select().where(User.email.endswith("@demo.pmo"))}
    projects = {p.name: p for p in Project.select().where(Project.name.in_({r[0] for r in SMALL_RISKS}))}
    today, now = utcnow().date(), utcnow()
    risks = issues = 0
    with db.atomic():
        for name, title, cat, p, i, residual, status, review, owner, note in SMALL_RISKS:
            if name not in projects:
                continue
            rp, ri = residual or (None, None)
            risk = Risk.create(
                project=projects[name], title=title, category=cat, probability=p, impact=i, score=p * i,
                residual_probability=rp, residual_impact=ri, residual_score=rp * ri if residual else None,
                owner=people[owner], response="accept" if p * i < 8 else "mitigate", status=status,
                description=f"Because of {cat} factors, this may happen and affect the plan.",
                mitigation="Agreed actions are tracked in the weekly meeting.", contingency="Fall back to the old process.",
                trigger="Warning signs reported by the owner.", review_date=today + datetime.timedelta(days=review),
                escalated=bool(note), escalation_note=note, escalated_at=now if note else None,
                escalated_by=people["manager"] if note else None, created_by=people["manager"])
            risks += 1
            if status == "occurred":
                Issue.create(project=risk.project_id, title=title, priority=i, owner=risk.owner_id, status="open",
                             due_date=today + datetime.timedelta(days=7), risk=risk, description=risk.description)
                issues += 1
        for name, title, priority, status, due, resolution in SMALL_ISSUES:
            if name in projects:
                Issue.create(project=projects[name], title=title, priority=priority, status=status,
                             owner=projects[name].manager_id, due_date=today + datetime.timedelta(days=due),
                             resolution=resolution)
                issues += 1
    return risks, issues


def large_log(rng, risks: int = 10_000, issues: int = 5_000) -> tuple[int, int]:
    """Benchmark risks and issues across the benchmark projects, in bulk; one project gets a long log."""
    bench = Project.select(Project.id, Project.manager, Project.sponsor).where(
        Project.name.startswith("Bench project ") & Project.state.in_(("active", "on_hold", "approved", "closed")))
    projects = list(bench.tuples())
    if not projects or Risk.select().where(Risk.project.in_([p[0] for p in projects])).exists():
        return 0, 0
    team = {}
    for pid, uid in ProjectMember.select(ProjectMember.project, ProjectMember.user).where(
            ProjectMember.project.in_([p[0] for p in projects])).tuples():
        team.setdefault(pid, []).append(uid)
    today, now = utcnow().date(), utcnow()
    statuses = ["open"] * 5 + ["monitoring"] * 2 + ["closed"] * 2 + ["occurred"]
    busiest = projects[0]
    rows = []
    for n in range(risks):
        pid, manager, sponsor = busiest if n < 600 else rng.choice(projects)
        p, i = rng.randint(1, 5), rng.randint(1, 5)
        rows.append({"project": pid, "title": f"Bench risk {n:05d}: {rng.choice(CATEGORIES)} exposure",
                     "description": "Benchmark risk.", "category": rng.choice(CATEGORIES), "probability": p,
                     "impact": i, "score": p * i, "owner": rng.choice(team.get(pid, []) + [manager]),
                     "response": rng.choice(RESPONSES), "status": rng.choice(statuses),
                     "review_date": today + datetime.timedelta(days=rng.randint(-40, 60)),
                     "escalated": rng.random() < 0.01, "created_at": now, "updated_at": now, "version": 1,
                     "mitigation": "", "contingency": "", "trigger": "", "escalation_note": ""})
    with db.atomic():
        for start in range(0, len(rows), 500):
            Risk.insert_many(rows[start:start + 500]).execute()
        occurred = list(Risk.select(Risk.id, Risk.project, Risk.owner, Risk.impact).where(
            (Risk.status == "occurred") & Risk.title.startswith("Bench risk ")).tuples())
        issue_rows = []
        for n in range(issues):
            if n < len(occurred):
                rid, pid, owner, priority = occurred[n]
            else:
                rid, (pid, owner, _) = None, rng.choice(projects)
                priority = rng.randint(1, 5)
            issue_rows.append({"project": pid, "title": f"Bench issue {n:05d}", "description": "", "risk": rid,
                               "priority": priority, "owner": owner,
                               "status": rng.choice(["open", "open", "in_progress", "resolved", "closed"]),
                               "due_date": today + datetime.timedelta(days=rng.randint(-30, 60)),
                               "resolution": "", "created_at": now, "updated_at": now, "version": 1})
        for start in range(0, len(issue_rows), 500):
            Issue.insert_many(issue_rows[start:start + 500]).execute()
    return len(rows), len(issue_rows)


def demo_risks(scale: str, rng) -> str:
    """The DEMO_STEPS entry for risks and issues."""
    risks, issues = small_log(rng)
    line = f"risks: {risks} demo risk(s) and {issues} issue(s) added"
    if scale == "large":
        risks, issues = large_log(rng)
        line += f", {risks} benchmark risk(s) and {issues} issue(s) added"
    return line
