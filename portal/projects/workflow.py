"""The project life cycle: the transition table and the one function that applies it with its history row."""
from portal.audit.services import record
from portal.db import db, locked, utcnow
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.projects.models import Project, Transition
from portal.projects.permissions import PMO, is_owner, leads

TRANSITIONS = {
    "draft": {"submitted", "cancelled"},
    "submitted": {"in_review", "approved", "returned", "rejected", "cancelled"},
    "in_review": {"approved", "returned", "rejected", "cancelled"},
    "returned": {"submitted", "cancelled"},
    "approved": {"active", "cancelled"},
    "active": {"on_hold", "closed", "cancelled"},
    "on_hold": {"active", "closed", "cancelled"},
    "rejected": set(),
    "closed": set(),
    "cancelled": set(),
}
STATE_LABELS = {"draft": "Draft", "submitted": "Submitted", "in_review": "In review", "returned": "Returned",
                "approved": "Approved", "rejected": "Rejected", "active": "Active", "on_hold": "On hold",
                "closed": "Closed", "cancelled": "Cancelled"}
OPEN_REQUEST = ("draft", "submitted", "in_review", "returned")


class WorkflowError(InvalidInput):
    """A step the life cycle does not have, such as a draft becoming active (422)."""


def may_transition(user, project, to_state: str) -> bool:
    """True when `user` may move `project` from its state to `to_state` (approval is checked apart)."""
    if to_state not in TRANSITIONS.get(project.state, ()):
        return False
    reviewer = user.role in PMO
    if to_state == "submitted":
        return is_owner(user, project)
    if to_state in ("in_review", "returned", "rejected"):
        return reviewer
    if to_state == "approved":
        return reviewer or user.role == "executive"
    if to_state in ("active", "on_hold"):
        return reviewer or leads(user, project)
    if to_state == "closed":  # the one step a deputy may not take
        return reviewer or user.id == project.manager_id
    if to_state == "cancelled":
        return reviewer or (is_owner(user, project) and project.state in OPEN_REQUEST)
    return False


def lock(project_id: int) -> Project:
    """Re-read a project inside the current transaction, holding its row until commit.

    SQLite transactions already hold the write lock (IMMEDIATE); PostgreSQL needs FOR UPDATE.
    """
    return locked(Project.select().where(Project.id == project_id)).get()


def last_decision(project: Project) -> str:
    """'already <state> by <name> at <time>': what a late decision is told."""
    from portal.auth.models import User
    row = (Transition.select(Transition, User).join(User, on=(Transition.actor == User.id))
           .where(Transition.project == project.id).order_by(Transition.at.desc(), Transition.id.desc()).first())
    if row is None:
        return f"This request is {STATE_LABELS[project.state].lower()} already."
    return (f"Already decided by {row.actor.name}: {STATE_LABELS[row.to_state].lower()} at "
            f"{row.at:%Y-%m-%d %H:%M} UTC. Reload to see the current state.")


def apply_transition(project: Project, to_state: str, actor, comment: str = "", check: bool = True,
                     **changes) -> Project:
    """Move `project` to `to_state` (compare-and-set on its state) and write the history row, in one transaction.

    `check=False` is for steps the caller has authorised itself (the approval that completes a request).
    """
    from_state = project.state
    if to_state not in TRANSITIONS.get(from_state, ()):
        raise WorkflowError(f"A {STATE_LABELS[from_state].lower()} project cannot become "
                            f"{STATE_LABELS.get(to_state, to_state).lower()}.")
    if check and not may_transition(actor, project, to_state):
        raise NotAllowed(f"You may not move this project from {STATE_LABELS[from_state].lower()} "
                         f"to {STATE_LABELS[to_state].lower()}.")
    now = utcnow()
    fields = {Project.state: to_state, Project.version: Project.version + 1, Project.updated_at: now,
              Project.updated_by: actor.id if actor else None}
    fields.update({getattr(Project, k): v for k, v in changes.items()})
    with db.atomic():
        updated = (Project.update(fields)
                   .where((Project.id == project.id) & (Project.state == from_state)).execute())
        if updated != 1:
            raise Conflict(last_decision(project))
        Transition.create(project=project.id, actor=actor.id if actor else None, at=now,
                          from_state=from_state, to_state=to_state, comment=comment)
        record(actor, "project.state", "project", project.id,
               f"{STATE_LABELS[from_state]} → {STATE_LABELS[to_state]}" + (f": {comment}" if comment else ""),
               before={"state": from_state}, after={"state": to_state}, project=project.id)
    project.state = to_state
    project.version += 1
    for key, value in changes.items():
        setattr(project, key, value)
    return project
