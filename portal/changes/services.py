"""Raising and deciding change requests; an approved change moves the project's baseline and keeps the history."""
from decimal import Decimal, InvalidOperation

from peewee import fn

from portal.audit.services import record
from portal.auth.models import User
from portal.changes.models import STATES, Baseline, ChangeRequest
from portal.db import db, utcnow
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.notify.services import notify
from portal.pagination import paginate
from portal.permissions import can
from portal.projects.models import Project
from portal.projects.rules import change_rules, current_rules
from portal.projects.workflow import lock

MAX_AMOUNT = Decimal("1000000000000")
Requester = User.alias("requester")


def parse_amount(text) -> Decimal:
    """A signed amount such as -2500 or 1200.50; anything else is InvalidInput on `budget_delta`."""
    text = str(text if text is not None else "").strip().replace(",", "") or "0"
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise InvalidInput({"budget_delta": "Enter the change in figures, such as 15000 or -2500."})
    return amount.quantize(Decimal("0.01"))


def decider_for(project, budget_delta: Decimal, schedule_days: int, rules: dict | None = None) -> str:
    """'sponsor' when the change stays within the rules' limits and the project has a sponsor, else 'pmo'."""
    limits = change_rules(rules or current_rules())
    small = budget_delta <= limits["sponsor_budget_up_to"] and schedule_days <= limits["sponsor_days_up_to"]
    return "sponsor" if small and project.sponsor_id else "pmo"


def request_change(project, actor, values: dict) -> ChangeRequest:
    """Raise a change request; the rules in force name who decides it, and they are told."""
    if not can(actor, "changes.request", project):
        raise NotAllowed("Only the project's manager, a deputy and the PMO raise change requests.")
    errors = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = "Say what should change."
    try:
        delta = parse_amount(values.get("budget_delta"))
    except InvalidInput as exc:
        errors.update(exc.errors)
        delta = Decimal(0)
    new_end = values.get("new_end_date")
    if new_end and project.start_date and new_end < project.start_date:
        errors["new_end_date"] = "The new end date must not be before the project's start."
    if delta and project.budget is not None and project.budget + delta < 0:
        errors["budget_delta"] = "The budget cannot fall below zero."
    if not new_end and not delta and not (values.get("scope_impact") or "").strip():
        errors["scope_impact"] = "Describe the impact on scope, or give a new end date or a budget change."
    if errors:
        raise InvalidInput(errors)
    days = (new_end - project.end_date).days if new_end and project.end_date else 0
    decider = decider_for(project, delta, days)
    with db.atomic():
        change = ChangeRequest.create(project=project.id, title=title, description=(values.get("description") or "").strip(),
                                      scope_impact=(values.get("scope_impact") or "").strip(), new_end_date=new_end,
                                      schedule_days=days, budget_delta=delta, requested_by=actor.id, decider=decider)
        record(actor, "change.request", "change", change.id, f"Change requested: {title}",
               after={"new_end_date": new_end, "schedule_days": days, "budget_delta": delta, "decider": decider},
               project=project)
        deciders = [project.sponsor_id] if decider == "sponsor" else \
            [u for (u,) in User.select(User.id).where(User.role.in_(("pmo", "admin")) & User.active).tuples()]
        notify([d for d in deciders if d and d != actor.id],
               f"{project.ref} asks for a change: {title}", f"/projects/{project.ref}/changes/{change.id}")
    return change


def load_change(project, change_id: int) -> ChangeRequest:
    """The change of `project` with that id (the project attached), else NotFound."""
    change = ChangeRequest.get_or_none((ChangeRequest.id == change_id) & (ChangeRequest.project == project.id))
    if change is None:
        raise NotFound("No such change request on this project.")
    change.project = project
    return change


def ensure_baseline(project, actor=None) -> Baseline:
    """The project's newest baseline; the first is written from its approved dates and budget when none exists."""
    newest = (Baseline.select().where(Baseline.project == project.id).order_by(Baseline.number.desc()).first())
    if newest is None:
        newest = Baseline.create(project=project.id, number=1, start_date=project.start_date,
                                 end_date=project.end_date, budget=project.budget,
                                 set_by=actor.id if actor else None)
    return newest


def decide(project, actor, change_id: int, approve: bool, comment: str, expected_version: int) -> ChangeRequest:
    """Approve or reject a change in one transaction; approval writes the next baseline and updates the project."""
    comment = (comment or "").strip()
    if not approve and not comment:
        raise InvalidInput({"comment": "Say why the change is rejected."})
    with db.atomic():
        fresh = lock(project.id)
        change = load_change(fresh, change_id)
        if change.state != "submitted":
            raise Conflict(f"This change is {change.state} already.")
        if not can(actor, "changes.decide", change):
            raise NotAllowed("This change is decided by the PMO, or by the sponsor when the rules allow.")
        state = "approved" if approve else "rejected"
        now = utcnow()
        if not change.save_if_current(expected_version, state=state, decided_by=actor.id, decided_at=now,
                                      decision_comment=comment):
            raise Conflict("Someone decided or changed this request after you opened it; reload to see it.")
        if approve:
            _move_baseline(fresh, change, actor)
        record(actor, f"change.{state}", "change", change.id, f"Change {state}: {change.title}",
               before={"state": "submitted"}, after={"state": state, "comment": comment}, project=fresh)
        notify([u for u in (change.requested_by_id, fresh.manager_id) if u != actor.id],
               f"{fresh.ref}: change {change.ref} was {state}.", f"/projects/{fresh.ref}/changes/{change.id}")
    return ChangeRequest.get_by_id(change_id)


def _move_baseline(project, change, actor) -> None:
    previous = ensure_baseline(project, actor)
    end = change.new_end_date or project.end_date
    budget = (project.budget or Decimal(0)) + change.budget_delta if change.budget_delta else project.budget
    Baseline.create(project=project.id, number=previous.number + 1, start_date=project.start_date, end_date=end,
                    budget=budget, change=change.id, set_by=actor.id)
    Project.update(end_date=end, budget=budget, version=Project.version + 1, updated_at=utcnow(),
                   updated_by=actor.id).where(Project.id == project.id).execute()
    record(actor, "project.baseline", "project", project.id,
           f"Baseline {previous.number + 1} from {change.ref}: ends {end}, budget {budget}",
           before={"end_date": project.end_date, "budget": project.budget},
           after={"end_date": end, "budget": budget}, project=project)


def withdraw(project, actor, change_id: int) -> ChangeRequest:
    """The requester (or a lead of the project) takes back a change not yet decided."""
    with db.atomic():
        change = load_change(project, change_id)
        if change.state != "submitted":
            raise Conflict(f"This change is {change.state} already.")
        if not (actor.id == change.requested_by_id or can(actor, "changes.request", project)):
            raise NotAllowed("Only who asked for the change, the manager, a deputy or the PMO may withdraw it.")
        ChangeRequest.update(state="withdrawn", version=ChangeRequest.version + 1).where(
            (ChangeRequest.id == change.id) & (ChangeRequest.state == "submitted")).execute()
        record(actor, "change.withdrawn", "change", change.id, f"Change withdrawn: {change.title}", project=project)
    return ChangeRequest.get_by_id(change_id)


def project_changes(project) -> list[ChangeRequest]:
    """The project's change requests, newest first, with who asked (one query)."""
    return list(ChangeRequest.select(ChangeRequest, Requester).join(Requester, on=(ChangeRequest.requested_by == Requester.id))
                .where(ChangeRequest.project == project.id)
                .order_by(ChangeRequest.requested_at.desc(), ChangeRequest.id.desc()))


def baselines(project) -> list[Baseline]:
    """The project's baseline versions, first to newest."""
    return list(Baseline.select().where(Baseline.project == project.id).order_by(Baseline.number))


def visible(user, state: str = "", text: str = ""):
    """Change requests of the projects `user` may see, newest first, with project and requester joined."""
    query = (ChangeRequest.select(ChangeRequest, Project.code, Project.name.alias("project_name"),
                                  Requester.name.alias("requester_name"))
             .join(Project, on=(ChangeRequest.project == Project.id))
             .join(Requester, on=(ChangeRequest.requested_by == Requester.id), src=ChangeRequest)
             .where(ChangeRequest.project.in_(Project.visible_to(user).select(Project.id))))
    if state in STATES:
        query = query.where(ChangeRequest.state == state)
    if text:
        query = query.where(ChangeRequest.title ** f"%{text.strip()}%")
    return query.order_by(ChangeRequest.requested_at.desc(), ChangeRequest.id.desc())


def portfolio_page(user, state: str, text: str, page: int, per_page: int = 50):
    """One page of the portfolio's change requests."""
    return paginate(visible(user, state, text).objects(), page, per_page)


def first_baselines(project_ids) -> dict:
    """{project id: (baseline 1 end date, budget)} for projects whose baseline moved (one query)."""
    if not project_ids:
        return {}
    rows = (Baseline.select(Baseline.project, Baseline.end_date, Baseline.budget)
            .where(Baseline.project.in_(list(project_ids)) & (Baseline.number == 1)).tuples())
    return {pid: (end, budget) for pid, end, budget in rows}


def changed_counts(project_ids) -> dict:
    """{project id: approved changes} (one query)."""
    if not project_ids:
        return {}
    return dict(ChangeRequest.select(ChangeRequest.project, fn.COUNT(ChangeRequest.id))
                .where(ChangeRequest.project.in_(list(project_ids)) & (ChangeRequest.state == "approved"))
                .group_by(ChangeRequest.project).tuples())
