"""Requesting, editing and staffing projects; loading them with access checked."""
import datetime
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from flask import abort
from peewee import JOIN
from peewee import fn as peewee_fn

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.db import db, next_number, utcnow
from portal.errors import Conflict, InvalidInput, NotAllowed, Stale
from portal.notify.services import notify
from portal.numbers import parse_int
from portal.permissions import can
from portal.projects.models import CADENCES, ROLE_LABELS, TEAM_ROLES, Project, ProjectMember, Transition
from portal.projects.permissions import locked_fields
from portal.projects.rules import FIELD_LABELS, current_rules, missing_fields
from portal.projects.workflow import WorkflowError, apply_transition, lock
from portal.projects.workflow import may_transition as _may_transition
from portal.sqlfunc import PreparedQuery
from portal.webhooks.events import emit

FIELDS = ("name", "summary", "business_case", "sponsor", "manager", "compliance_owner", "department",
          "category", "strategic_objective", "start_date", "end_date", "budget", "benefits",
          "known_risks", "reporting_cadence")
TEXT_LIMITS = {"name": 120, "summary": 2000, "business_case": 10000, "department": 120, "category": 60,
               "strategic_objective": 200, "benefits": 5000, "known_risks": 5000}
AUDIT_FIELDS = tuple(f + "_id" if f in ("sponsor", "manager", "compliance_owner") else f for f in FIELDS)
MAX_BUDGET = Decimal("1000000000000")
NOT_AN_AMOUNT = "Enter the budget in figures, such as 125000 (NaN and Infinity are not amounts)."
MANAGER_ROLES = ("manager", "pmo", "admin")


def _visible_project(user_id: int, key, role: str, draft: bool):
    """The project by code (or a draft by id) as `Project.visible_to` a user with this id and role."""
    query = Project.visible_to(SimpleNamespace(id=user_id, role=role))
    if draft:
        return query.where((Project.id == key) & Project.code.is_null()).limit(1)
    return query.where(Project.code == key).limit(1)


# Every page under /projects/<ref> starts here: its SQL is built once per role and kind of reference.
_VISIBLE_PROJECT = PreparedQuery(_visible_project)


def load_project(ref: str, user, need: str = "view") -> Project:
    """The project with code (or DRAFT-<id>) `ref` if `user` may see it, else 404; 403 when `need="edit"` is refused."""
    ref = (ref or "").upper()
    draft = ref.startswith("DRAFT-")
    if draft:
        try:
            key = parse_int(ref[6:])
        except ValueError:
            abort(404)
    else:
        key = ref
    project = _VISIBLE_PROJECT.first(user.id, key, shape=(user.role, draft))
    if project is None:
        abort(404)
    if need == "edit" and not can(user, "projects.edit", project):
        abort(403, description="Only the project's manager or the PMO may edit it in this state.")
    return project


def clean_values(values: dict, rules: dict) -> dict:
    """Check and normalise request fields (only FIELDS are kept); raises InvalidInput naming each bad field."""
    out, errors = {}, {}
    for name in FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in TEXT_LIMITS:
            value = (value or "").strip()
            if len(value) > TEXT_LIMITS[name]:
                errors[name] = f"Use at most {TEXT_LIMITS[name]:,} characters."
        elif name in ("start_date", "end_date"):
            if value not in (None, "") and not isinstance(value, datetime.date):
                errors[name] = "Enter a date as YYYY-MM-DD."
            value = value or None
        elif name == "budget" and value not in (None, ""):
            try:
                value = Decimal(str(value))
            except (InvalidOperation, ValueError):
                value = None
            # NaN and Infinity parse as Decimals but cannot be compared or stored.
            if value is None or not value.is_finite():
                errors[name] = NOT_AN_AMOUNT
            else:
                if abs(value) < MAX_BUDGET:  # larger numbers exceed quantize's precision
                    value = value.quantize(Decimal("0.01"))
                if not Decimal(0) <= value < MAX_BUDGET:
                    errors[name] = "The budget must be between 0 and 999,999,999,999."
        elif name == "budget":
            value = None
        elif name in ("sponsor", "manager", "compliance_owner"):
            value = getattr(value, "id", value) or None
        out[name] = value
    if out.get("name") == "":
        errors["name"] = "Give the request a name."
    if out.get("category") and out["category"] not in rules["categories"]:
        errors["category"] = "Choose one of the categories the PMO has set."
    if out.get("reporting_cadence", "monthly") not in CADENCES:
        errors["reporting_cadence"] = f"Choose {', '.join(CADENCES)}."
    if out.get("start_date") and out.get("end_date") and out["end_date"] < out["start_date"]:
        errors["end_date"] = "The end date must not be before the start date."
    people = {k: out[k] for k in ("sponsor", "manager", "compliance_owner") if out.get(k)}
    if people:
        found = {u.id: u for u in User.select().where(User.id.in_(list(people.values())) & User.active)}
        for key, uid in people.items():
            if uid not in found:
                errors[key] = "Choose an active person."
            elif key == "manager" and found[uid].role not in MANAGER_ROLES:
                errors[key] = "The manager must hold the manager, PMO or admin role."
    if errors:
        raise InvalidInput(errors)
    return out


def projects_named(name: str, user, exclude_id: int | None = None) -> list[str]:
    """Other projects or requests called `name` (any case, not cancelled or rejected): the codes `user` may see,
    "a project you cannot open" for the others. An empty list when the name is free."""
    query = Project.select(Project.id, Project.code).where(
        peewee_fn.LOWER(peewee_fn.TRIM(Project.name)) == (name or "").strip().lower(), Project.state.not_in(("cancelled", "rejected")))
    if exclude_id:
        query = query.where(Project.id != exclude_id)
    found = list(query)
    if not found:
        return []
    visible = {p.id for p in Project.visible_to(user).select(Project.id).where(Project.id.in_([p.id for p in found]))}
    return sorted(p.code if p.id in visible and p.code else "a project you cannot open" for p in found)


def create_request(values: dict, actor) -> Project:
    """Save a new request as a draft owned by `actor` (the manager defaults to them)."""
    if not can(actor, "projects.create"):
        raise NotAllowed("Requesting a project needs the manager, PMO or admin role.")
    values = clean_values(values, current_rules())
    values.setdefault("manager", None)
    values["manager"] = values["manager"] or actor.id
    with db.atomic():
        project = Project.create(requester=actor.id, state="draft", updated_by=actor.id, **values)
        record(actor, "project.create", "project", project.id, f"Drafted {project.name}",
               after=snapshot(project, AUDIT_FIELDS), project=project)
    return project


def update_project(project: Project, actor, expected_version: int, values: dict) -> Project:
    """Save edits if nobody saved since `expected_version`; Stale names who did."""
    if not can(actor, "projects.edit", project):
        raise NotAllowed("Only the project's manager or the PMO may edit it in this state.")
    values = clean_values(values, current_rules())
    if "manager" in values and not values["manager"]:
        raise InvalidInput({"manager": "Choose the manager."})
    with db.atomic():
        fresh = lock(project.id)
        # Stale first: if the PMO changed the budget meanwhile, "someone saved" is the true answer.
        if fresh.version != expected_version:
            raise _stale(fresh)
        _refuse_governed_changes(actor, fresh, values)
        before = snapshot(fresh, AUDIT_FIELDS)
        if not fresh.save_if_current(expected_version, updated_at=utcnow(), updated_by=actor.id, **values):
            raise _stale(fresh)
        fresh = Project.get_by_id(project.id)
        record(actor, "project.update", "project", fresh.id, f"Edited {fresh.name}",
               before=before, after=snapshot(fresh, AUDIT_FIELDS), project=fresh)
    return fresh


def _stale(fresh: Project) -> Stale:
    who = User.get_or_none(User.id == fresh.updated_by_id)
    return Stale(f"{who.name if who else 'Someone'} saved this project at {fresh.updated_at:%Y-%m-%d %H:%M} UTC "
                 "after you opened it. Your changes are below, not saved; compare and save again.",
                 who=who, when=fresh.updated_at, current=fresh)


def _refuse_governed_changes(actor, project: Project, values: dict) -> None:
    """After approval only the PMO changes what was approved; InvalidInput names each field a manager changed."""
    errors = {}
    for name in locked_fields(actor, project):
        if name in values and values[name] != getattr(project, name):
            errors[name] = f"The {FIELD_LABELS[name].lower()} was approved; ask the PMO to change it."
    if errors:
        raise InvalidInput(errors)


def submit_request(project: Project, actor, comment: str = "") -> Project:
    """Submit a draft or returned request: rules checked, code given on first submission, reviewers told."""
    rules = current_rules()
    with db.atomic():
        fresh = lock(project.id)
        if fresh.state not in ("draft", "returned"):
            raise Conflict(f"This request is {fresh.state.replace('_', ' ')} already.")
        missing = missing_fields(rules, {f: getattr(fresh, f + "_id", None) if f in ("sponsor", "manager", "compliance_owner")
                                         else getattr(fresh, f) for f in FIELDS})
        if missing:
            raise InvalidInput(missing)
        changes = {"review_round": fresh.review_round + 1}
        if not fresh.code:
            year = (fresh.submitted_at or utcnow()).year
            changes["code"] = f"PRJ-{year}-{next_number(f'project-{year}'):03d}"
        if not fresh.submitted_at:
            changes["submitted_at"] = utcnow()
        apply_transition(fresh, "submitted", actor, comment or "Submitted for review", **changes)
        reviewers = User.select(User.id).where(User.role.in_(("pmo", "admin")) & User.active)
        notify([u.id for u in reviewers if u.id != actor.id] + [fresh.manager_id, fresh.requester_id],
               f"{fresh.code} {fresh.name} was submitted for review.", f"/projects/{fresh.code}")
        emit("request.submitted", f"{fresh.code} {fresh.name} was submitted for review by {actor.name}.",
             f"/projects/{fresh.code}", request_facts(fresh))
    return fresh


def request_facts(project: Project, **extra) -> dict:
    """What a webhook says about a request: what the PMO's review queue shows, nothing more."""
    return {"project": project.code, "name": project.name, "state": project.state, "category": project.category,
            "department": project.department, "budget": project.budget, "start_date": project.start_date,
            "end_date": project.end_date, **extra}


def change_state(project: Project, actor, to_state: str, comment: str = "") -> Project:
    """Activate, put on hold, resume, close (closing note required) or cancel (reason required)."""
    comment = (comment or "").strip()
    if to_state not in ("active", "on_hold", "closed", "cancelled"):
        raise WorkflowError("Unknown step.")
    if to_state in ("closed", "cancelled") and not comment:
        raise InvalidInput({"comment": "Say why: a closing note or reason is required."})
    if len(comment) > 2000:
        raise InvalidInput({"comment": "Use at most 2,000 characters."})
    with db.atomic():
        fresh = lock(project.id)
        if to_state == "closed" and may_transition_closed(actor, fresh):
            # Imported here: the closure package's pages load projects first.
            from portal.closure.services import require_signoff
            require_signoff(fresh, actor)
        extra = {"closing_note": comment} if to_state == "closed" else {}
        apply_transition(fresh, to_state, actor, comment, **extra)
        notify([fresh.manager_id, fresh.sponsor_id, fresh.requester_id] if actor.id != fresh.manager_id
               else [fresh.sponsor_id], f"{fresh.ref} {fresh.name} is now {to_state.replace('_', ' ')}.",
               f"/projects/{fresh.ref}")
    return fresh


def may_transition_closed(actor, project) -> bool:
    """True when `actor` may close `project` at all (the sign-off is asked only then; refusals say why elsewhere)."""
    return _may_transition(actor, project, "closed")


# The project page's other lookups: their SQL is built once, like _VISIBLE_PROJECT's.
_TEAM = PreparedQuery(lambda project_id: ProjectMember.select(ProjectMember, User.id, User.name).join(User)
                      .where(ProjectMember.project == project_id).order_by(User.name))
_TIMELINE = PreparedQuery(lambda project_id: Transition.select(Transition, User.id, User.name)
                          .join(User, JOIN.LEFT_OUTER, on=(Transition.actor == User.id))
                          .where(Transition.project == project_id).order_by(Transition.at, Transition.id))
_NAMED = PreparedQuery(lambda *ids: User.select(User.id, User.name).where(User.id.in_(list(ids))))
_ACTIVE_PEOPLE = PreparedQuery(lambda: User.active_users().select(User.id, User.name).tuples())


def named_people(project: Project) -> dict:
    """{id: user (id and name)} of the project's manager, sponsor, requester and compliance owner."""
    # No account has id 0: a role nobody holds matches nobody.
    ids = (project.manager_id or 0, project.sponsor_id or 0, project.requester_id or 0,
           project.compliance_owner_id or 0)
    return {user.id: user for user in _NAMED(*ids)}


def active_people() -> list[tuple[int, str]]:
    """(id, name) of everyone who may sign in, by name: the team picker's choices."""
    return list(_ACTIVE_PEOPLE())


def team(project: Project):
    """The project's members with their names, by name (one query)."""
    return list(_TEAM(project.id))


def _role(role: str) -> str:
    if role not in TEAM_ROLES:
        raise InvalidInput({"role": "Choose deputy, contributor or viewer."})
    return role


def add_member(project: Project, actor, user_id: int, role: str = "contributor") -> ProjectMember:
    """Put an active person on the team in `role`; adding someone twice (or the manager) is refused."""
    if not can(actor, "projects.team", project):
        raise NotAllowed("Only the project's manager, a deputy or the PMO may change its team.")
    role = _role(role)
    person = User.get_or_none((User.id == user_id) & User.active)
    if person is None:
        raise InvalidInput({"user": "Choose an active person."})
    if person.id == project.manager_id:
        raise InvalidInput({"user": f"{person.name} manages this project already."})
    with db.atomic():
        if ProjectMember.select().where((ProjectMember.project == project.id) & (ProjectMember.user == person.id)).exists():
            raise InvalidInput({"user": f"{person.name} is on the team already."})
        row = ProjectMember.create(project=project.id, user=person.id, role=role)
        record(actor, "project.member_add", "project", project.id,
               f"Added {person.name} to the team as {ROLE_LABELS[role].lower()}", after={"role": role},
               project=project)
        notify([person.id], f"You were added to the team of {project.ref} {project.name} "
                            f"as {ROLE_LABELS[role].lower()}.", f"/projects/{project.ref}")
    return row


def change_role(project: Project, actor, user_id: int, role: str) -> ProjectMember:
    """Make a team member deputy, contributor or viewer; the audit trail keeps the role before and after."""
    if not can(actor, "projects.team", project):
        raise NotAllowed("Only the project's manager, a deputy or the PMO may change its team.")
    role = _role(role)
    with db.atomic():
        row = (ProjectMember.select(ProjectMember, User).join(User)
               .where((ProjectMember.project == project.id) & (ProjectMember.user == user_id)).first())
        if row is None:
            raise InvalidInput({"role": "That person is not on the team."})
        if row.role == role:
            return row
        if row.user_id == actor.id and row.role == "deputy" and actor.role not in ("admin", "pmo"):
            raise InvalidInput({"role": "Ask the manager or the PMO to change your own role."})
        before = row.role
        ProjectMember.update(role=role).where(ProjectMember.id == row.id).execute()
        record(actor, "project.member_role", "project", project.id,
               f"{row.user.name}: {ROLE_LABELS[before].lower()} → {ROLE_LABELS[role].lower()}",
               before={"role": before}, after={"role": role}, project=project)
        notify([row.user_id], f"Your role on {project.ref} {project.name} is now {ROLE_LABELS[role].lower()}.",
               f"/projects/{project.ref}")
    row.role = role
    return row


def remove_member(project: Project, actor, user_id: int) -> None:
    """Take a person off the team."""
    if not can(actor, "projects.team", project):
        raise NotAllowed("Only the project's manager, a deputy or the PMO may change its team.")
    with db.atomic():
        row = ProjectMember.get_or_none((ProjectMember.project == project.id) & (ProjectMember.user == user_id))
        if row is not None:
            row.delete_instance()
            name = User.select(User.name).where(User.id == user_id).scalar() or f"user {user_id}"
            record(actor, "project.member_remove", "project", project.id, f"Removed {name} from the team",
                   before={"role": row.role}, project=project)


def timeline(project: Project):
    """The project's transitions, oldest first, with the name of who made them (one query)."""
    return list(_TIMELINE(project.id))


def codes_visible_to(user_id: int, codes) -> set[str]:
    """Which of `codes` the person `user_id` may see: notices name only those projects."""
    from portal.auth.models import User
    user = User.get_or_none(User.id == user_id)
    if user is None or not codes:
        return set()
    return {code for (code,) in Project.visible_to(user).select(Project.code)
            .where(Project.code.in_(list(codes))).tuples()}
