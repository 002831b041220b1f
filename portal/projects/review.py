"""Reviewing requests: scoring, approving (one or more approvals by budget band), returning, rejecting."""
from portal.auth.models import User
from portal.db import db
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.notify.services import notify
from portal.permissions import can
from portal.projects.models import Approval, Project, Score
from portal.projects.permissions import PMO, is_owner
from portal.projects.rules import APPROVER_KINDS, CRITERIA, approvers_needed, current_rules, weighted_score
from portal.projects.services import request_facts
from portal.projects.workflow import apply_transition, last_decision, lock
from portal.webhooks.events import emit

UNDECIDED = ("submitted", "in_review")
# Who may give each kind of approval.
APPROVER_ROLES = {"pmo": ("pmo", "admin"), "executive": ("executive", "admin")}


def _approvals(project_ids, rounds: dict):
    """{project id: {kind: Approval}} for each project's current round, in one query."""
    found = {pid: {} for pid in project_ids}
    if not project_ids:
        return found
    rows = (Approval.select(Approval, User).join(User, on=(Approval.approver == User.id))
            .where(Approval.project.in_(list(project_ids))))
    for row in rows:
        if row.review_round == rounds.get(row.project_id):
            found[row.project_id][row.kind] = row
    return found


def approval_status(projects, rules: dict | None = None) -> dict:
    """{project id: (given approvals by kind, kinds still needed)} for a page of requests, in one query."""
    rules = rules or current_rules()
    given = _approvals([p.id for p in projects], {p.id: p.review_round for p in projects})
    return {p.id: (given[p.id], [k for k in approvers_needed(rules, p.budget) if k not in given[p.id]])
            for p in projects}


def kinds_user_can_give(user, project, rules: dict | None = None) -> list[str]:
    """The approvals `user` could give on `project` now (empty for their own request)."""
    if project.state not in UNDECIDED or is_owner(user, project):
        return []
    given, needed = approval_status([project], rules)[project.id]
    if any(a.approver_id == user.id for a in given.values()):
        return []
    return [k for k in needed if user.role in APPROVER_ROLES[k]]


def decide(project: Project, actor, decision: str, comment: str = "") -> Project:
    """Approve, reject (reason required) or return (what to change required) a request, once.

    A late or repeated decision gets Conflict naming who decided; an approval the
    actor has no right to give is NotAllowed.
    """
    comment = (comment or "").strip()
    if decision not in ("approve", "reject", "return"):
        raise InvalidInput({"decision": "Choose approve, reject or return."})
    if len(comment) > 2000:
        raise InvalidInput({"comment": "Use at most 2,000 characters."})
    if decision != "approve" and not comment:
        raise InvalidInput({"comment": "Give the reason for rejecting." if decision == "reject"
                            else "Say what needs to change."})
    rules = current_rules()
    with db.atomic():
        fresh = lock(project.id)
        if fresh.state not in UNDECIDED:
            raise Conflict(last_decision(fresh))
        if decision == "approve":
            return _approve(fresh, actor, comment, rules)
        if actor.role not in PMO:
            raise NotAllowed("Returning or rejecting a request is for PMO staff and admins.")
        to_state = "rejected" if decision == "reject" else "returned"
        apply_transition(fresh, to_state, actor, comment)
        given, _ = approval_status([fresh], rules)[fresh.id]
        verb = "was rejected" if to_state == "rejected" else "was returned for changes"
        notify([fresh.requester_id, fresh.manager_id] + [a.approver_id for a in given.values()],
               f"{fresh.code} {fresh.name} {verb}: {comment[:120]}", f"/projects/{fresh.code}")
        emit("request.decided", f"{fresh.code} {fresh.name} {verb} by {actor.name}.", f"/projects/{fresh.code}",
             request_facts(fresh, decision=to_state, comment=comment))
    return fresh


def _approve(project: Project, actor, comment: str, rules: dict) -> Project:
    if is_owner(actor, project):
        raise NotAllowed("Nobody approves their own request.")
    given, needed = approval_status([project], rules)[project.id]
    mine = [a for a in given.values() if a.approver_id == actor.id]
    if mine:
        raise Conflict(f"You approved this request already ({APPROVER_KINDS[mine[0].kind]}).")
    kinds = [k for k in needed if actor.role in APPROVER_ROLES[k]]
    if not kinds:
        taken = [a for k, a in given.items() if actor.role in APPROVER_ROLES[k]]
        if taken:
            raise Conflict(f"Already approved by {taken[0].approver.name} "
                           f"({APPROVER_KINDS[taken[0].kind]}); nothing left for you to approve.")
        raise NotAllowed(f"This request needs {', '.join(APPROVER_KINDS[k] for k in needed)}; "
                         "your role cannot give it.")
    kind = kinds[0]
    Approval.create(project=project.id, review_round=project.review_round, kind=kind, approver=actor.id,
                    comment=comment)
    remaining = [k for k in needed if k != kind]
    label = APPROVER_KINDS[kind]
    if remaining:
        if project.state == "submitted":
            apply_transition(project, "in_review", actor, f"{label.capitalize()} given. {comment}".strip(), check=False)
        approvers = User.select(User.id).where(User.role.in_([r for k in remaining for r in APPROVER_ROLES[k]])
                                               & User.active)
        notify([u.id for u in approvers if u.id not in (actor.id, project.requester_id, project.manager_id)],
               f"{project.code} {project.name} awaits {', '.join(APPROVER_KINDS[k] for k in remaining)}.",
               f"/projects/{project.code}")
    else:
        apply_transition(project, "approved", actor, f"{label.capitalize()} given: approved. {comment}".strip(),
                         check=False)
        emit("request.decided", f"{project.code} {project.name} was approved by {actor.name}.",
             f"/projects/{project.code}", request_facts(project, decision="approved", comment=comment))
    notify([project.requester_id, project.manager_id],
           f"{project.code} {project.name}: {label} given by {actor.name}"
           f"{'' if remaining else '; the project is approved'}.", f"/projects/{project.code}")
    return project


def score_request(project: Project, actor, sheet: dict, comment: str = "") -> Score:
    """Record (or replace) `actor`'s scoring sheet; the request's score is the mean of its sheets."""
    if actor.role not in PMO:
        raise NotAllowed("Scoring requests is for PMO staff and admins.")
    if not can(actor, "projects.score", project):  # the role is checked above; this refuses owners
        raise NotAllowed("Nobody scores their own request.")
    errors = {c: "Give a mark from 1 to 5." for c in CRITERIA
              if not isinstance(sheet.get(c), int) or isinstance(sheet.get(c), bool) or not 1 <= sheet[c] <= 5}
    if len(comment or "") > 2000:
        errors["comment"] = "Use at most 2,000 characters."
    if errors:
        raise InvalidInput(errors)
    rules = current_rules()
    with db.atomic():
        fresh = lock(project.id)
        if fresh.state not in UNDECIDED:
            raise Conflict(last_decision(fresh))
        Score.delete().where((Score.project == fresh.id) & (Score.reviewer == actor.id)).execute()
        row = Score.create(project=fresh.id, reviewer=actor.id, total=weighted_score(rules, sheet),
                           comment=(comment or "").strip(), **{c: sheet[c] for c in CRITERIA})
        totals = [s.total for s in Score.select(Score.total).where(Score.project == fresh.id)]
        Project.update(score=round(sum(totals) / len(totals), 2)).where(Project.id == fresh.id).execute()
        if fresh.state == "submitted":
            apply_transition(fresh, "in_review", actor, f"Review started: scored {row.total}.")
    return row


def scores(project: Project):
    """The scoring sheets given for a request, with their reviewers."""
    return list(Score.select(Score, User).join(User, on=(Score.reviewer == User.id))
                .where(Score.project == project.id).order_by(Score.at))
