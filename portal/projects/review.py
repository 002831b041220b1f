"""Reviewing requests: scoring, approving (one or more approvals by budget band), returning, rejecting."""
from decimal import Decimal

from peewee import fn

from portal.audit.services import record
from portal.auth.models import User
from portal.db import db
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.notify.services import notify
from portal.permissions import can
from portal.projects.models import Approval, Project, Score
from portal.projects.permissions import PMO, is_owner
from portal.projects.rules import (
    APPROVER_KINDS,
    CRITERIA,
    approvers_needed,
    conflict_policy,
    current_rules,
    weighted_score,
)
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


def executive_waits(project, given: dict, rules: dict) -> str:
    """Why executive approval cannot be given yet ('' when it can): it comes after the PMO's review.

    Where the budget band asks for the PMO review, that approval must be in; where it does not,
    the PMO must at least have started the review (scored it: the request is in review).
    """
    if "pmo" in approvers_needed(rules, project.budget):
        if "pmo" not in given:
            return "Executive approval comes after the PMO review, which is not given yet."
    elif project.state != "in_review":
        return "Executive approval comes after the PMO has reviewed and scored the request."
    return ""


def conflict_of_interest(user, project) -> str:
    """Why `user` deciding on `project` is a conflict of interest ('' when it is not)."""
    if project.sponsor_id and user.id == project.sponsor_id:
        return "the approver is the project's sponsor"
    if user.id == project.requester_id:
        return "the approver requested the project"
    return ""


def kinds_user_can_give(user, project, rules: dict | None = None) -> list[str]:
    """The approvals `user` could give on `project` now (empty for their own request, or before their turn)."""
    rules = rules or current_rules()
    if project.state not in UNDECIDED or is_owner(user, project):
        return []
    given, needed = approval_status([project], rules)[project.id]
    if any(a.approver_id == user.id for a in given.values()):
        return []
    if conflict_of_interest(user, project) and conflict_policy(rules) == "block":
        return []
    return [k for k in needed if user.role in APPROVER_ROLES[k]
            and not (k == "executive" and executive_waits(project, given, rules))]


def may_send_back(user, project, rules: dict | None = None) -> bool:
    """True when `user` may return or reject `project`: PMO staff, or the executive whose approval is due."""
    if project.state not in UNDECIDED:
        return False
    if user.role in PMO:
        return not (conflict_of_interest(user, project) and conflict_policy(rules or current_rules()) == "block")
    return "executive" in kinds_user_can_give(user, project, rules)


def decide(project: Project, actor, decision: str, comment: str = "") -> Project:
    """Approve, reject (reason required) or return (what to change required) a request, once.

    A late or repeated decision gets Conflict naming who decided; an approval the
    actor has no right to give is NotAllowed. The executive approver may also return or
    reject, once the PMO's review is in. A sponsor's own decision is flagged, or refused
    when the rules say `conflict_of_interest = "block"`.
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
        conflict = conflict_of_interest(actor, fresh)
        if conflict and conflict_policy(rules) == "block":
            raise NotAllowed(f"Conflict of interest: {conflict}. The governance rules leave this decision "
                             "to someone else.")
        if decision == "approve":
            return _approve(fresh, actor, comment, rules, conflict)
        if actor.role not in PMO:
            _check_executive_turn(fresh, actor, rules)
        to_state = "rejected" if decision == "reject" else "returned"
        note = f"{comment} [Conflict of interest: {conflict}.]" if conflict else comment
        apply_transition(fresh, to_state, actor, note, check=False)
        given, _ = approval_status([fresh], rules)[fresh.id]
        verb = "was rejected" if to_state == "rejected" else "was returned for changes"
        notify([fresh.requester_id, fresh.manager_id] + [a.approver_id for a in given.values()],
               f"{fresh.code} {fresh.name} {verb}: {comment[:120]}", f"/projects/{fresh.code}")
        emit("request.decided", f"{fresh.code} {fresh.name} {verb} by {actor.name}.", f"/projects/{fresh.code}",
             request_facts(fresh, decision=to_state, comment=comment))
    return fresh


def _check_executive_turn(project, actor, rules):
    """Refuse a return or reject by anyone but PMO staff unless they are the executive approver whose turn it is."""
    given, needed = approval_status([project], rules)[project.id]
    if actor.role not in APPROVER_ROLES["executive"] or "executive" not in needed or is_owner(actor, project):
        raise NotAllowed("Returning or rejecting a request is for PMO staff, admins and its executive approver.")
    waits = executive_waits(project, given, rules)
    if waits:
        raise NotAllowed(waits)


def _approve(project: Project, actor, comment: str, rules: dict, conflict: str = "") -> Project:
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
    if kind == "executive":
        waits = executive_waits(project, given, rules)
        if waits:
            raise NotAllowed(waits)
    Approval.create(project=project.id, review_round=project.review_round, kind=kind, approver=actor.id,
                    comment=comment, conflict=conflict)
    remaining = [k for k in needed if k != kind]
    label = APPROVER_KINDS[kind]
    flag = f" [Conflict of interest: {conflict}.]" if conflict else ""
    if remaining:
        if project.state == "submitted":
            apply_transition(project, "in_review", actor, f"{label.capitalize()} given. {comment}".strip() + flag,
                             check=False)
        approvers = User.select(User.id).where(User.role.in_([r for k in remaining for r in APPROVER_ROLES[k]])
                                               & User.active)
        notify([u.id for u in approvers if u.id not in (actor.id, project.requester_id, project.manager_id)],
               f"{project.code} {project.name} awaits {', '.join(APPROVER_KINDS[k] for k in remaining)}.",
               f"/projects/{project.code}")
    else:
        apply_transition(project, "approved", actor,
                         f"{label.capitalize()} given: approved. {comment}".strip() + flag, check=False)
        emit("request.decided", f"{project.code} {project.name} was approved by {actor.name}.",
             f"/projects/{project.code}", request_facts(project, decision="approved", comment=comment))
    if conflict:
        record(actor, "project.conflict_of_interest", "project", project.id,
               f"{label.capitalize()} given although {conflict}", project=project.id)
    notify([project.requester_id, project.manager_id],
           f"{project.code} {project.name}: {label} given by {actor.name}"
           f"{' (flagged: conflict of interest)' if conflict else ''}"
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
    """The scoring sheets given for a request, with their reviewers' names."""
    return list(Score.select(Score, User.id, User.name).join(User, on=(Score.reviewer == User.id))
                .where(Score.project == project.id).order_by(Score.at))


def _band_condition(rules: dict, kind: str):
    """SQL: the requests whose budget band asks for approval `kind`, with whether that band also asks for the PMO.

    Returns [(condition, band needs pmo)] with one entry per band (the default counts as one).
    """
    bands = rules["approval_bands"]
    edges = [None] + [Decimal(str(b["above"])) for b in bands]
    approvers = [rules["default_approvers"]] + [b["approvers"] for b in bands]
    found = []
    for i, kinds in enumerate(approvers):
        if kind not in kinds:
            continue
        condition = Project.id.is_null(False)
        if edges[i] is not None:  # no budget counts as 0, and every band starts at 0 or above
            condition &= Project.budget > edges[i]
        if i + 1 < len(edges):
            condition &= Project.budget.is_null() | (Project.budget <= edges[i + 1])
        found.append((condition, "pmo" in kinds))
    return found


def awaiting_executive(user, rules: dict | None = None):
    """The visible requests whose executive approval is due now and that `user` may give (a query, unordered).

    Due means: the budget band asks for it, it is not given in this round, and the PMO's review is in.
    """
    rules = rules or current_rules()
    if user.role not in APPROVER_ROLES["executive"]:
        return Project.select().where(Project.id.is_null())
    given = Approval.alias()
    this_round = ((given.project == Project.id) & (given.review_round == Project.review_round))
    exec_given = given.select(given.id).where(this_round & (given.kind == "executive"))
    pmo_given = given.select(given.id).where(this_round & (given.kind == "pmo"))
    due = None
    for band, with_pmo in _band_condition(rules, "executive"):
        ready = fn.EXISTS(pmo_given) if with_pmo else (Project.state == "in_review")
        due = (band & ready) if due is None else (due | (band & ready))
    if due is None:
        return Project.select().where(Project.id.is_null())
    query = (Project.visible_to(user)
             .where(Project.state.in_(UNDECIDED) & due & ~fn.EXISTS(exec_given)
                    & (Project.requester != user.id) & (Project.manager != user.id)))
    if conflict_policy(rules) == "block":
        query = query.where((Project.sponsor.is_null()) | (Project.sponsor != user.id))
    return query
