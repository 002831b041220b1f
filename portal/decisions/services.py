"""Keeping a decision log: record, resolve, list per project and across the portfolio (scoped to the reader)."""
import datetime

from peewee import JOIN

from portal.audit.services import record
from portal.auth.models import User
from portal.db import db, utcnow
from portal.decisions.models import STATUSES, Decision, DecisionLink
from portal.errors import InvalidInput, NotAllowed, NotFound, Stale
from portal.notify.services import notify
from portal.pagination import paginate
from portal.permissions import can
from portal.projects.models import Project
from portal.risks.models import Issue, Risk

DecidedBy = User.alias("decided_by")


def link_choices(project) -> tuple[list, list]:
    """The project's risks and issues as (id, label) choices for linking."""
    risks = [(r.id, f"R-{r.id} {r.title}") for r in Risk.select(Risk.id, Risk.title)
             .where(Risk.project == project.id).order_by(Risk.id.desc()).limit(200)]
    issues = [(i.id, f"I-{i.id} {i.title}") for i in Issue.select(Issue.id, Issue.title)
              .where(Issue.project == project.id).order_by(Issue.id.desc()).limit(200)]
    return risks, issues


def _clean(project, values: dict, actor) -> dict:
    errors = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = "Say what was decided, or what needs deciding."
    status = values.get("status") or "made"
    if status not in STATUSES:
        errors["status"] = "Choose decided or decision needed."
    decided_by = values.get("decided_by") or None
    if decided_by and not User.select().where((User.id == decided_by) & User.active).exists():
        errors["decided_by"] = "Choose an active person."
    risks, issues = set(values.get("risks") or ()), set(values.get("issues") or ())
    if risks and Risk.select().where(Risk.id.in_(list(risks)) & (Risk.project == project.id)).count() != len(risks):
        errors["risks"] = "Link only this project's risks."
    if issues and Issue.select().where(Issue.id.in_(list(issues)) & (Issue.project == project.id)).count() != len(issues):
        errors["issues"] = "Link only this project's issues."
    if errors:
        raise InvalidInput(errors)
    made = status == "made"
    return {"title": title, "status": status, "options": (values.get("options") or "").strip(),
            "rationale": (values.get("rationale") or "").strip(), "needed_by": None if made else values.get("needed_by"),
            "decided_on": (values.get("decided_on") or datetime.date.today()) if made else None,
            "decided_by": (decided_by or actor.id) if made else None, "risks": risks, "issues": issues}


def record_decision(project, actor, values: dict) -> Decision:
    """Add a decision (or a decision needed) to the log, with its links, in one transaction."""
    if not can(actor, "decisions.write", project):
        raise NotAllowed("Only the project's manager, a deputy, its sponsor and the PMO keep its decision log.")
    clean = _clean(project, values, actor)
    risks, issues = clean.pop("risks"), clean.pop("issues")
    with db.atomic():
        decision = Decision.create(project=project.id, created_by=actor.id, **clean)
        links = ([{"decision": decision.id, "risk": r, "issue": None} for r in sorted(risks)]
                 + [{"decision": decision.id, "risk": None, "issue": i} for i in sorted(issues)])
        if links:
            DecisionLink.insert_many(links).execute()
        verb = "Decided" if clean["status"] == "made" else "Decision needed"
        record(actor, "decision.create", "decision", decision.id, f"{verb}: {clean['title']}",
               after={k: v for k, v in clean.items()}, project=project)
        if clean["status"] == "pending" and project.sponsor_id and project.sponsor_id != actor.id:
            notify([project.sponsor_id], f"{project.ref} needs a decision: {clean['title']}",
                   f"/projects/{project.ref}/decisions/")
    return decision


def resolve(project, actor, decision_id: int, rationale: str, expected_version: int) -> Decision:
    """Record the decision a pending entry waited for: decided today by `actor`, with the rationale."""
    if not can(actor, "decisions.write", project):
        raise NotAllowed("Only the project's manager, a deputy, its sponsor and the PMO keep its decision log.")
    rationale = (rationale or "").strip()
    if not rationale:
        raise InvalidInput({"rationale": "Give the rationale."})
    with db.atomic():
        decision = load_decision(project, decision_id)
        if decision.status != "pending":
            raise InvalidInput({"rationale": "This decision is made already."})
        if not decision.save_if_current(expected_version, status="made", rationale=rationale,
                                        decided_on=datetime.date.today(), decided_by=actor.id, updated_at=utcnow()):
            raise Stale("Someone changed this decision after you opened it; reload and try again.")
        record(actor, "decision.resolve", "decision", decision.id, f"Decided: {decision.title}",
               before={"status": "pending"}, after={"status": "made", "rationale": rationale}, project=project)
    return Decision.get_by_id(decision_id)


def load_decision(project, decision_id: int) -> Decision:
    """The decision of `project` with that id; another project's is NotFound (no existence oracle)."""
    decision = Decision.get_or_none((Decision.id == decision_id) & (Decision.project == project.id))
    if decision is None:
        raise NotFound("No such decision on this project.")
    return decision


def project_decisions(project) -> list[Decision]:
    """The project's log, pending first then newest, with who decided and the linked risks and issues (3 queries)."""
    rows = list(Decision.select(Decision, DecidedBy).join(DecidedBy, JOIN.LEFT_OUTER, on=(Decision.decided_by == DecidedBy.id))
                .where(Decision.project == project.id)
                .order_by(Decision.status.desc(), Decision.created_at.desc(), Decision.id.desc()))
    links = {}
    if rows:
        for link in (DecisionLink.select(DecisionLink.decision.alias("decision"), DecisionLink.risk.alias("risk"),
                                         DecisionLink.issue.alias("issue"), Risk.title.alias("risk_title"),
                                         Issue.title.alias("issue_title"))
                     .join(Risk, JOIN.LEFT_OUTER, on=(DecisionLink.risk == Risk.id))
                     .switch(DecisionLink).join(Issue, JOIN.LEFT_OUTER, on=(DecisionLink.issue == Issue.id))
                     .where(DecisionLink.decision.in_([d.id for d in rows])).dicts()):
            links.setdefault(link["decision"], []).append(link)
    for d in rows:
        d.linked = links.get(d.id, [])
    return rows


def visible(user, status: str = "", text: str = ""):
    """Decisions of the projects `user` may see, newest first, with project and decider joined."""
    query = (Decision.select(Decision, Project.code, Project.name.alias("project_name"), DecidedBy.name.alias("decider"))
             .join(Project, on=(Decision.project == Project.id))
             .join(DecidedBy, JOIN.LEFT_OUTER, on=(Decision.decided_by == DecidedBy.id), src=Decision)
             .where(Decision.project.in_(Project.visible_to(user).select(Project.id))))
    if status in STATUSES:
        query = query.where(Decision.status == status)
    if text:
        query = query.where(Decision.title ** f"%{text.strip()}%")
    return query.order_by(Decision.created_at.desc(), Decision.id.desc())


def portfolio_page(user, status: str, text: str, page: int, per_page: int = 50):
    """One page of the portfolio's decisions."""
    return paginate(visible(user, status, text).objects(), page, per_page)


def needed(user, limit: int = 50) -> list:
    """Decisions still needed on the projects `user` may see, soonest first (for the board pack)."""
    return list(visible(user, "pending").order_by(Decision.needed_by.asc(nulls="LAST"), Decision.id)
                .limit(limit).objects())
