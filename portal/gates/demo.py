"""Demo governance: team roles, phases and gate reviews, decisions, change requests and baselines.

Idempotent for the small demo (nothing is added twice); bulk inserts for `--scale large`.
"""
import datetime
import json

from portal.auth.models import User
from portal.changes.models import Baseline, ChangeRequest
from portal.db import db, utcnow
from portal.decisions.models import Decision
from portal.gates.models import GateReview, ProjectPhase
from portal.gates.phases import current_model
from portal.projects.models import Project, ProjectMember

CHUNK = 500


def _bulk(model, rows):
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def demo_governance(scale: str, rng) -> str:
    """The DEMO_STEPS entry for governance."""
    projects = list(Project.select(Project.id, Project.manager, Project.sponsor, Project.start_date, Project.end_date,
                                   Project.budget).where(Project.state.in_(("approved", "active", "on_hold", "closed")))
                    .order_by(Project.id).tuples())
    if not projects or ProjectPhase.select().where(ProjectPhase.project.in_([p[0] for p in projects])).exists():
        return "governance: already there (or no projects)"
    number, model = current_model()
    phases = model["phases"]
    pmo = User.select(User.id).where(User.role == "pmo").order_by(User.id).scalar()
    now = utcnow()
    today = now.date()
    phase_rows, reviews, decisions, changes, baselines = [], [], [], [], []
    for i, (pid, manager, sponsor, start, end, budget) in enumerate(projects):
        start = start or today - datetime.timedelta(days=90)
        reached = rng.randrange(len(phases))
        entered = datetime.datetime.combine(start, datetime.time(9))
        for k in range(reached + 1):
            left = None if k == reached else min(entered + datetime.timedelta(days=rng.randint(20, 80)), now)
            phase_rows.append({"project": pid, "phase_key": phases[k]["key"], "phase_name": phases[k]["name"],
                               "max_days": phases[k]["max_days"], "model_number": number,
                               "entered_at": min(entered, now), "left_at": left})
            if k:
                reviews.append({"project": pid, "model_number": number, "from_key": phases[k - 1]["key"],
                                "from_name": phases[k - 1]["name"], "to_key": phases[k]["key"],
                                "to_name": phases[k]["name"], "results": "[]", "requested_by": manager,
                                "requested_at": min(entered, now) - datetime.timedelta(days=3), "state": "passed",
                                "decided_by": pmo, "decided_at": min(entered, now), "comment": "", "version": 2})
            entered = left or entered
        if reached + 1 < len(phases) and i % 4 == 0:
            reviews.append({"project": pid, "model_number": number, "from_key": phases[reached]["key"],
                            "from_name": phases[reached]["name"], "to_key": phases[reached + 1]["key"],
                            "to_name": phases[reached + 1]["name"], "results": json.dumps([]),
                            "requested_by": manager, "requested_at": now - datetime.timedelta(days=2),
                            "state": "requested", "version": 1, "note": "Ready for the gate."})
        decisions.append({"project": pid, "title": "Deliver in two releases", "status": "made",
                          "decided_on": today - datetime.timedelta(days=rng.randint(5, 120)), "decided_by": sponsor or pmo,
                          "options": "One release; two releases; defer", "rationale": "Earlier value, lower risk.",
                          "created_by": manager, "version": 1})
        if i % 3 == 0:
            decisions.append({"project": pid, "title": "Choose the hosting provider", "status": "pending",
                              "needed_by": today + datetime.timedelta(days=rng.randint(3, 40)), "created_by": manager,
                              "version": 1})
        if i % 2 == 0 and end:
            days = rng.choice([14, 21, 45, 90])
            state = rng.choice(["submitted", "approved", "rejected"])
            changes.append({"project": pid, "title": f"Extend by {days} days for extra testing",
                            "description": "Testing found more defects than planned.", "scope_impact": "",
                            "new_end_date": end + datetime.timedelta(days=days), "schedule_days": days,
                            "budget_delta": 0, "requested_by": manager, "decider": "sponsor" if days <= 30 and sponsor
                            else "pmo", "state": state, "decided_by": pmo if state != "submitted" else None,
                            "decided_at": now if state != "submitted" else None, "version": 1 if state == "submitted" else 2})
            if state == "approved":
                baselines += [{"project": pid, "number": 1, "start_date": start, "end_date": end, "budget": budget,
                               "set_by": pmo},
                              {"project": pid, "number": 2, "start_date": start, "end_date":
                               end + datetime.timedelta(days=days), "budget": budget, "set_by": pmo}]
    with db.atomic():
        _bulk(ProjectPhase, phase_rows)
        _bulk(GateReview, reviews)
        _bulk(Decision, decisions)
        _bulk(ChangeRequest, changes)
        _bulk(Baseline, baselines)
        for b in baselines:
            if b["number"] == 2:
                Project.update(end_date=b["end_date"]).where(Project.id == b["project"]).execute()
        members = list(ProjectMember.select(ProjectMember.id).order_by(ProjectMember.id).tuples())
        deputies = [m for j, (m,) in enumerate(members) if j % 7 == 0]
        viewers = [m for j, (m,) in enumerate(members) if j % 5 == 1]
        for ids, role in ((deputies, "deputy"), (viewers, "viewer")):
            for start in range(0, len(ids), CHUNK):
                ProjectMember.update(role=role).where(ProjectMember.id.in_(ids[start:start + CHUNK])).execute()
    return (f"governance: {len(phase_rows)} phase(s), {len(reviews)} gate review(s), {len(decisions)} decision(s), "
            f"{len(changes)} change request(s), {len(deputies)} deputies and {len(viewers)} viewers")
