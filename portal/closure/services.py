"""Closure rules (data, in the governance rules), the PMO's sign-off, and what the closure report gathers.

Only models are imported here: projects.services asks `require_signoff` when a project closes.
"""
from peewee import JOIN, fn

from portal.audit.services import record
from portal.auth.models import User
from portal.closure.models import ClosureSignoff
from portal.db import db
from portal.errors import InvalidInput, NotAllowed
from portal.lessons.models import Benefit, Lesson
from portal.notify.services import notify
from portal.projects.permissions import PMO
from portal.projects.rules import CLOSURE_CONDITIONS, closure_rules, current_rules
from portal.risks.models import OPEN_ISSUE, OPEN_RISK, Issue, Risk


def reasons(project, rules: dict | None = None) -> list[str]:
    """Why closing `project` needs the PMO's sign-off under the rules in force (empty: it does not)."""
    spec = closure_rules(rules or current_rules())
    out = []
    if "high_risks" in spec["signoff_when"]:
        high = Risk.select().where((Risk.project == project.id) & Risk.status.in_(OPEN_RISK)
                                   & (Risk.score >= spec["high_risk_score"])).count()
        if high:
            out.append(f"{high} open risk(s) scored {spec['high_risk_score']} or more")
    if "open_issues" in spec["signoff_when"]:
        issues = Issue.select().where((Issue.project == project.id) & Issue.status.in_(OPEN_ISSUE)).count()
        if issues:
            out.append(f"{issues} open issue(s)")
    if "no_benefits" in spec["signoff_when"] and not Benefit.select().where(Benefit.project == project.id).exists():
        out.append(CLOSURE_CONDITIONS["no_benefits"])
    return out


def signoff(project) -> ClosureSignoff | None:
    """The newest sign-off given for `project`, with who gave it."""
    return (ClosureSignoff.select(ClosureSignoff, User).join(User)
            .where(ClosureSignoff.project == project.id).order_by(ClosureSignoff.signed_at.desc()).first())


def require_signoff(project, actor) -> None:
    """Refuse to close while the rules ask for a sign-off nobody gave; PMO staff closing sign off themselves."""
    standing = reasons(project)
    if not standing or signoff(project) is not None:
        return
    if actor.role in PMO:
        ClosureSignoff.create(project=project.id, signed_by=actor.id, reasons="; ".join(standing),
                              comment="Closed by the PMO")
        return
    raise InvalidInput({"comment": "Closing needs the PMO's sign-off first (see the closure report): "
                                   + "; ".join(standing) + "."})


def sign_off(project, actor, comment: str) -> ClosureSignoff:
    """The PMO lets the project close with the standing reasons; audited, the manager told."""
    if actor.role not in PMO:
        raise NotAllowed("Only PMO staff and admins sign off a closure.")
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput({"comment": "Say on what terms the project may close."})
    if len(comment) > 2000:
        raise InvalidInput({"comment": "Use at most 2,000 characters."})
    if project.state not in ("active", "on_hold"):
        raise InvalidInput({"comment": "Only an active or held project can be signed off for closing."})
    standing = reasons(project)
    with db.atomic():
        row = ClosureSignoff.create(project=project.id, signed_by=actor.id, reasons="; ".join(standing),
                                    comment=comment)
        record(actor, "project.closure_signoff", "project", project.id, f"Closure signed off: {comment}"[:255],
               after={"reasons": standing}, project=project)
        notify([project.manager_id], f"The PMO signed off closing {project.ref} {project.name}.",
               f"/projects/{project.ref}/closure")
    return row


def ask_for_signoff(project, actor) -> None:
    """The manager asks the PMO for a sign-off (a notice to PMO staff)."""
    pmo = [u for (u,) in User.select(User.id).where(User.role.in_(PMO) & User.active).tuples()]
    record(actor, "project.closure_asked", "project", project.id, "Asked the PMO to sign off the closure",
           project=project)
    notify([u for u in pmo if u != actor.id], f"{project.ref} {project.name} asks the PMO to sign off its closure.",
           f"/projects/{project.ref}/closure")


def report(project) -> dict:
    """What the closure report shows: benefits, lessons and the open items handed over (a query each)."""
    owner = User.alias("owner")
    risks = list(Risk.select(Risk, owner.name.alias("owner_name")).join(owner, JOIN.LEFT_OUTER, on=(Risk.owner == owner.id))
                 .where((Risk.project == project.id) & Risk.status.in_(OPEN_RISK)).order_by(Risk.score.desc()).objects())
    issues = list(Issue.select(Issue, owner.name.alias("owner_name")).join(owner, JOIN.LEFT_OUTER, on=(Issue.owner == owner.id))
                  .where((Issue.project == project.id) & Issue.status.in_(OPEN_ISSUE)).order_by(Issue.id).objects())
    return {"benefits": list(Benefit.select().where(Benefit.project == project.id).order_by(Benefit.id)),
            "lessons": list(Lesson.select().where(Lesson.project == project.id).order_by(Lesson.created_at)),
            "risks": risks, "issues": issues, "reasons": reasons(project), "signoff": signoff(project),
            "lesson_count": Lesson.select(fn.COUNT(Lesson.id)).where(Lesson.project == project.id).scalar()}
